using System.CommandLine;
using Tabula.Registry;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula login</c>: checks credentials against the registry, then keeps them as docker does.</summary>
internal static class LoginVerb
{
    public static Command Create(CliContext context)
    {
        var server = new Argument<string?>("SERVER") { Arity = ArgumentArity.ZeroOrOne, Description = "Registry host (default: Docker Hub)" };
        var username = new Option<string?>("--username", "-u") { Description = "User name" };
        var password = new Option<string?>("--password", "-p") { Description = "Password (insecure: prefer --password-stdin)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from stdin" };
        var flags = new RegistryFlags();
        var command = new Command("login", "Log in to a registry") { server, username, password, passwordStdin };
        flags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var registry = RegistryHost.Normalize(parse.GetValue(server));
            var user = parse.GetValue(username);
            var secret = parse.GetValue(password);
            if (parse.GetValue(passwordStdin))
            {
                if (secret is not null) throw new UsageException("--password and --password-stdin are mutually exclusive");
                if (user is null) throw new UsageException("must provide --username with --password-stdin");
                using var stdin = new StreamReader(context.OpenInput());
                secret = (await stdin.ReadToEndAsync(ct)).TrimEnd('\n', '\r');
            }
            if (user is null || string.IsNullOrEmpty(secret))
                throw new UsageException("give --username and --password-stdin (or --password)");
            if (secret == parse.GetValue(password))
                await context.Error.WriteLineAsync("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
            var credential = new RegistryCredential(user, secret);
            using (var client = new RegistryClient(registry, flags.Options(parse, context, registry, new StaticCredentialSource(credential))))
                await client.VerifyCredentialAsync(ct);
            var where = await DockerConfigFile.FromEnvironment(context.Environment).StoreAsync(registry, credential, ct);
            context.Out.WriteLine($"Login Succeeded (credentials kept in {where})");
            return CliApp.Ok;
        });
        return command;
    }
}
