using System.CommandLine;
using Tabula.Registry;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula logout</c>: forgets the credentials kept for a registry.</summary>
internal static class LogoutVerb
{
    public static Command Create(CliContext context)
    {
        var server = new Argument<string?>("SERVER") { Arity = ArgumentArity.ZeroOrOne, Description = "Registry host (default: Docker Hub)" };
        var command = new Command("logout", "Log out from a registry") { server };
        command.SetAction(async (parse, ct) =>
        {
            var registry = RegistryHost.Normalize(parse.GetValue(server));
            if (await DockerConfigFile.FromEnvironment(context.Environment).EraseAsync(registry, ct))
                context.Out.WriteLine($"Removing login credentials for {registry}");
            else
                context.Out.WriteLine($"Not logged in to {registry}");
            return CliApp.Ok;
        });
        return command;
    }
}
