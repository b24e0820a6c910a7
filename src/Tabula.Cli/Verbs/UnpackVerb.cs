using System.CommandLine;
using Tabula.Oci;
using Tabula.Runtime;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula unpack IMAGE DIR</c>: the image's filesystem into a folder, or an OCI runtime bundle with <c>--bundle</c>.</summary>
internal static class UnpackVerb
{
    public static Command Create(CliContext context)
    {
        var imageArg = new Argument<string>("IMAGE");
        var directoryArg = new Argument<string>("DIR") { Description = "A new or empty folder" };
        var bundle = new Option<bool>("--bundle") { Description = "Make an OCI runtime bundle: DIR/rootfs and DIR/config.json (as umoci unpack does; rootless when not run as root)" };
        var platform = new Option<string?>("--platform") { Description = "For a multi-platform image: which platform" };
        var command = new Command("unpack", "Unpack an image's filesystem into a folder") { imageArg, directoryArg, bundle, platform };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var stored = await store.Resolver.ResolveAsync(parse.GetValue(imageArg)!, ct);
            var image = await store.LoadAsync(stored, parse.GetValue(platform) is { } p ? Platform.Parse(p) : null, ct);
            string directory = Path.GetFullPath(parse.GetValue(directoryArg)!);
            bool makeBundle = parse.GetValue(bundle);
            string rootfs = makeBundle ? Path.Combine(directory, "rootfs") : directory;
            if (makeBundle && Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
                throw new UsageException($"{directory} is not empty; give a new or empty folder");
            var (tree, result) = await RootfsUnpacker.UnpackAsync(image.Layers, rootfs, ct);
            if (makeBundle)
            {
                var config = image.Config.Config;
                var privileges = ContainerPrivileges.ForThisUser();
                var user = await ContainerUser.ResolveAsync(config?.User, tree, ct);
                if (privileges.Rootless)
                {
                    try { user = ContainerRun.RootlessUser(user, config?.User); }
                    catch (ContainerPrivilegeException e) { context.Error.WriteLine("warning: " + e.Message); }
                }
                var spec = new BundleSpec
                {
                    Args = ImageProcess.Args(config, null, []) is { Count: > 0 } args ? args : ["/bin/sh"],
                    Env = ContainerRun.CompleteEnv(config?.Env ?? [], user),
                    Cwd = config?.WorkingDir is { Length: > 0 } w ? w : "/",
                    User = user,
                    Network = NetworkMode.None,
                    Privileges = privileges,
                };
                await File.WriteAllTextAsync(Path.Combine(directory, "config.json"), BundleConfig.Generate(spec), ct);
            }
            if (result.SkippedDevices > 0)
                context.Error.WriteLine($"warning: {result.SkippedDevices} device node(s) left out: making them needs root");
            return CliApp.Ok;
        });
        return command;
    }
}
