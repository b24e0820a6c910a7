using System.CommandLine;
using System.Text;
using Tabula.Oci;
using Tabula.Runtime;
using Tabula.Runtime.Snapshots;

namespace Tabula.Cli.Verbs;

/// <summary>
/// <c>tabula run IMAGE [CMD…]</c>: runs the image over its snapshots (or unpacked into a temporary bundle) with an OCI runtime
/// (runc by default), its output passed through and its exit code returned. The container is always removed
/// when it exits (<c>--rm</c> is accepted for docker's sake).
/// </summary>
internal static class RunVerb
{
    public static Command Create(CliContext context)
    {
        var imageArg = new Argument<string>("IMAGE");
        var commandArg = new Argument<string[]>("COMMAND") { Arity = ArgumentArity.ZeroOrMore, Description = "The command and its arguments (default: the image's)" };
        var remove = new Option<bool>("--rm") { Description = "Remove the container when it exits (always done)" };
        var env = new Option<string[]>("--env", "-e") { Description = "Set an environment variable (KEY=VALUE, or KEY to take it from this environment); repeatable" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory inside the container" };
        var user = new Option<string?>("--user", "-u") { Description = "USER[:GROUP], names or numbers" };
        var network = new Option<string>("--network", "--net") { Description = "host (default) or none", DefaultValueFactory = _ => "host" };
        var entrypoint = new Option<string?>("--entrypoint") { Description = "Override the image's ENTRYPOINT" };
        var runtime = new Option<string?>("--runtime") { Description = "OCI runtime program or path (default: runc)" };
        var hostname = new Option<string?>("--hostname") { Description = "Container host name" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Keep stdin attached" };
        var platform = new Option<string?>("--platform") { Description = "For a multi-platform image: which platform" };
        var command = new Command("run", "Run a command in a new container")
        {
            imageArg, commandArg, remove, env, workdir, user, network, entrypoint, runtime, hostname, interactive, platform,
        };
        command.SetAction(async (parse, ct) =>
        {
            var networkMode = NetworkModeNames.TryParse(parse.GetValue(network), out var mode)
                ? mode
                : throw new UsageException($"unknown --network '{parse.GetValue(network)}': use {NetworkModeNames.Accepted}");
            var oci = OciRuntime.Find(parse.GetValue(runtime), context.Environment);
            var privileges = ContainerPrivileges.Detect();
            var store = context.OpenStore(parse);
            var stored = await store.Resolver.ResolveAsync(parse.GetValue(imageArg)!, ct);
            var image = await store.LoadAsync(stored, parse.GetValue(platform) is { } p ? Platform.Parse(p) : null, ct);
            var config = image.Config.Config;
            var args = ImageProcess.Args(config, parse.GetValue(entrypoint), parse.GetValue(commandArg) ?? []);
            if (args.Count == 0) throw new UsageException("no command specified: the image has no CMD or ENTRYPOINT; give one after the image name");
            string name = Guid.NewGuid().ToString("N")[..12];
            string host = parse.GetValue(hostname) ?? name;
            var overrides = (parse.GetValue(env) ?? []).Select(e => e.Contains('=') ? e : e + "=" + (context.Environment(e) ?? "")).Prepend("HOSTNAME=" + host);

            // A lease keeps prune from removing the snapshots under the running container.
            using var lease = await store.Content.AcquireWriteLeaseAsync(ct);
            var workspaces = new ContainerWorkspaces(SnapshotStore.ForStore(store.Content.Root, privileges), Snapshotter.Auto, privileges);
            using var workspace = await workspaces.CreateAsync(image.Layers, "run", ct);
            bool console = ReferenceEquals(context.Out, Console.Out);
            await context.Out.FlushAsync(ct);
            await using var stdout = console ? null : new TextWriterStream(context.Out);
            await using var stderr = console ? null : new TextWriterStream(context.Error);
            return await ContainerRun.RunAsync(new ContainerRequest
            {
                Runtime = oci,
                BundleDirectory = workspace.BundleDirectory,
                Tree = workspace.Tree,
                Overlay = workspace.Overlay?.Rootfs,
                Owner = workspace.Owner,
                Args = args,
                Env = ImageProcess.Env(config, overrides),
                WorkingDir = parse.GetValue(workdir) ?? config?.WorkingDir,
                User = parse.GetValue(user) ?? config?.User,
                Network = networkMode,
                Hostname = host,
                TmpfsTmp = true,
                Stdout = stdout,
                Stderr = stderr,
                AttachStdin = parse.GetValue(interactive),
                Privileges = privileges,
            }, ct);
        });
        return command;
    }

    /// <summary>Bytes written to it appear as text on a writer (for output captured in-process).</summary>
    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => writer.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            var chars = new char[_decoder.GetCharCount(buffer, offset, count)];
            _decoder.GetChars(buffer, offset, count, chars, 0);
            lock (writer) writer.Write(chars);
        }
    }
}

/// <summary>docker's rule for <c>run</c>: everything after IMAGE belongs to the container's command.</summary>
public static class RunArguments
{
    /// <summary>Options of <c>run</c> that take a value, for finding where IMAGE is.</summary>
    private static readonly HashSet<string> ValueOptions = new(StringComparer.Ordinal)
    {
        "-e", "--env", "-w", "--workdir", "-u", "--user", "--network", "--net", "--entrypoint", "--runtime", "--hostname", "--platform", "--root",
    };

    /// <summary>Whether <paramref name="option"/> of <c>run</c> takes the next word as its value.</summary>
    public static bool TakesValue(string option) => ValueOptions.Contains(option);

    /// <summary>
    /// Puts <c>--</c> after IMAGE in <c>tabula run … IMAGE CMD…</c>, so the command's own flags (<c>sh -c</c>) are
    /// its arguments, not options of run — docker's rule.
    /// </summary>
    public static string[] SeparateCommand(string[] args)
    {
        int i = DockerHabits.VerbIndex(args);
        if (i < 0 || args[i] != "run") return args;
        for (i++; i < args.Length; i++)
        {
            if (args[i] == "--") return args;
            if (!args[i].StartsWith('-') || args[i] == "-")
                return i + 1 < args.Length && args[i + 1] == "--" ? args : [.. args[..(i + 1)], "--", .. args[(i + 1)..]];
            if (ValueOptions.Contains(args[i])) i++;
        }
        return args;
    }
}
