using System.CommandLine;
using System.Globalization;
using Tabula.Build;
using Tabula.Cli.Formatting;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula build</c>: docker build's flags, no daemon.</summary>
internal static class BuildVerb
{
    public static Command Create(CliContext context)
    {
        var contextArg = new Argument<string>("CONTEXT") { Description = "The build context folder, or '-' to read a tar context from stdin" };
        var tags = new Option<string[]>("--tag", "-t") { Description = "Name and optionally a tag (NAME[:TAG]); repeatable", AllowMultipleArgumentsPerToken = false };
        var file = new Option<string?>("--file", "-f") { Description = "Name of the Dockerfile (default: CONTEXT/Dockerfile, else dockerfile, else Containerfile; '-' reads it from stdin)" };
        var buildArgs = new Option<string[]>("--build-arg") { Description = "Set a build-time variable (KEY=VALUE, or KEY to take it from the environment)" };
        var labels = new Option<string[]>("--label") { Description = "Set a label on the image (KEY=VALUE, or KEY for an empty value); repeatable" };
        var platform = new Option<string?>("--platform") { Description = "Target platform OS/ARCH[/VARIANT] (default: this machine's)" };
        var timestamp = new Option<string?>("--timestamp") { Description = "Unix time for created times and layer mtimes (default: $SOURCE_DATE_EPOCH), for reproducible digests" };
        var target = new Option<string?>("--target") { Description = "Build this stage and what it needs, not the last stage" };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not reuse results of earlier RUN steps" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the image ID" };
        var ociMediaTypes = new Option<bool>("--oci-mediatypes") { Description = "Write OCI media types instead of Docker v2 schema 2" };
        var pull = new Option<bool>("--pull") { Description = "Always pull registry base images, even when the store has them" };
        var compression = new Option<string>("--compression") { Description = "Layer compression: gzip (default), zstd (implies OCI media types) or none", DefaultValueFactory = _ => "gzip" };
        var runtime = new Option<string?>("--runtime") { Description = "OCI runtime for RUN: a program name or path (default: runc)" };
        var network = new Option<string>("--network") { Description = "Network of RUN steps: host (default) or none", DefaultValueFactory = _ => "host" };
        var secrets = new Option<string[]>("--secret") { Description = "A secret for RUN --mount=type=secret: id=ID,src=FILE (or env=VARIABLE); repeatable" };
        var command = new Command("build", "Build an image from a Dockerfile")
        {
            contextArg, tags, file, buildArgs, labels, platform, timestamp, target, noCache, quiet, ociMediaTypes, compression, pull, runtime, network, secrets,
        };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            using var secretFiles = new SecretFiles();
            using var stdinContext = await StdinContext.PrepareAsync(parse.GetValue(contextArg)!, parse.GetValue(file), context.OpenInput, ct);
            var options = new BuildOptions
            {
                ContextDirectory = stdinContext.Directory,
                DockerfilePath = stdinContext.DockerfilePath,
                DockerfileText = stdinContext.DockerfileText,
                Tags = (parse.GetValue(tags) ?? []).Select(ParseTag).ToList(),
                BuildArgs = ParseBuildArgs(parse.GetValue(buildArgs) ?? [], context.Environment),
                Labels = ParseLabels(parse.GetValue(labels) ?? []),
                Platform = parse.GetValue(platform) is { } p ? Platform.Parse(p) : null,
                Timestamp = ParseTimestamp(parse.GetValue(timestamp) ?? context.Environment("SOURCE_DATE_EPOCH")),
                Target = parse.GetValue(target),
                NoCache = parse.GetValue(noCache),
                Pull = parse.GetValue(pull),
                Registry = RegistryEnvironment.Options(context.Environment) with
                {
                    Timeout = context.NetworkTimeout(parse) ?? Tabula.Registry.RegistryOptions.DefaultTimeout,
                },
                OciMediaTypes = parse.GetValue(ociMediaTypes),
                Compression = LayerCompressionNames.TryParse(parse.GetValue(compression), out var layerCompression)
                    ? layerCompression
                    : throw new UsageException($"unknown --compression '{parse.GetValue(compression)}': use {LayerCompressionNames.Accepted}"),
                Runtime = parse.GetValue(runtime),
                Snapshotter = context.Environment("TABULA_SNAPSHOTTER") is { Length: > 0 } snapshotter
                    ? Enum.TryParse<Tabula.Runtime.Snapshotter>(snapshotter, ignoreCase: true, out var chosen) && Enum.IsDefined(chosen) ? chosen
                        : throw new UsageException($"TABULA_SNAPSHOTTER={snapshotter} is not one of auto, overlay, copy")
                    : Tabula.Runtime.Snapshotter.Auto,
                Secrets = ParseSecrets(parse.GetValue(secrets) ?? [], context.Environment, secretFiles),
                Network = Tabula.Runtime.NetworkModeNames.TryParse(parse.GetValue(network), out var networkMode)
                    ? networkMode
                    : throw new UsageException($"unknown --network '{parse.GetValue(network)}': use {Tabula.Runtime.NetworkModeNames.Accepted}"),
            };
            bool q = parse.GetValue(quiet);
            var progress = q ? null : new BuildProgressPrinter(context.Out);
            var result = await new Builder(store, progress).BuildAsync(options, ct);
            if (q)
            {
                context.Out.WriteLine(result.ImageId);
                return CliApp.Ok;
            }
            context.Out.WriteLine($"Successfully built {result.ImageId.Short}");
            foreach (var tag in result.Tags) context.Out.WriteLine($"Successfully tagged {tag.ToFamiliarString()}");
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>docker's <c>--secret id=ID,src=FILE</c> (also <c>source=</c>) or <c>id=ID,env=VARIABLE</c>; a bare id reads the variable of that name.</summary>
    private static Dictionary<string, string> ParseSecrets(IEnumerable<string> specs, Func<string, string?> environment, SecretFiles files)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var fields = spec.Split(',').Select(f => f.Split('=', 2)).ToDictionary(f => f[0].Trim(), f => f.Length == 2 ? f[1] : "", StringComparer.Ordinal);
            if (!fields.TryGetValue("id", out var id) || id.Length == 0)
                throw new UsageException($"invalid --secret '{spec}': give id=ID,src=FILE or id=ID,env=VARIABLE");
            if ((fields.GetValueOrDefault("src") ?? fields.GetValueOrDefault("source")) is { Length: > 0 } source)
            {
                if (!File.Exists(source)) throw new UsageException($"--secret {id}: {source} does not exist");
                result[id] = source;
            }
            else if (environment(fields.GetValueOrDefault("env") ?? id) is { } value)
            {
                result[id] = files.Write(value);
            }
            else
            {
                throw new UsageException($"--secret {id}: no src= file and no environment variable {fields.GetValueOrDefault("env") ?? id}");
            }
        }
        return result;
    }

    /// <summary>Secrets given through the environment, in files only this user can read, removed after the build.</summary>
    private sealed class SecretFiles : IDisposable
    {
        private readonly List<string> _paths = [];

        public string Write(string value)
        {
            var path = Path.Combine(Path.GetTempPath(), "tabula-secret-" + Guid.NewGuid().ToString("N"));
            using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
                file.Write(System.Text.Encoding.UTF8.GetBytes(value));
            _paths.Add(path);
            return path;
        }

        public void Dispose()
        {
            foreach (var path in _paths) File.Delete(path);
        }
    }

    private static ImageReference ParseTag(string text)
    {
        var reference = ImageReference.Parse(text);
        if (reference.Digest is not null) throw new UsageException($"invalid tag '{text}': a tag cannot contain a digest");
        return reference;
    }

    private static Dictionary<string, string> ParseBuildArgs(IEnumerable<string> args, Func<string, string?> environment)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arg in args)
        {
            int eq = arg.IndexOf('=');
            if (eq > 0) result[arg[..eq]] = arg[(eq + 1)..];
            else if (environment(arg) is { } fromEnvironment) result[arg] = fromEnvironment;
        }
        return result;
    }

    /// <summary>docker build's <c>--label</c>: <c>KEY=VALUE</c>, or a bare <c>KEY</c> for an empty value; the last one of a key wins.</summary>
    private static Dictionary<string, string> ParseLabels(IEnumerable<string> labels)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            int eq = label.IndexOf('=');
            if (eq == 0) throw new UsageException($"invalid --label '{label}': give KEY=VALUE");
            if (eq > 0) result[label[..eq]] = label[(eq + 1)..];
            else result[label] = "";
        }
        return result;
    }

    private static DateTimeOffset? ParseTimestamp(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || !LayerTimes.InRange(seconds))
            throw new UsageException($"invalid timestamp '{text}': give whole seconds since the Unix epoch (as SOURCE_DATE_EPOCH), at most {LayerTimes.MaxUnixSeconds} (the end of year 9999)");
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    /// <summary>
    /// Prints steps the way the classic docker builder does, so logs and scripts read the same. Stages of a multi-stage
    /// build may run side by side, so there each line starts with its stage's label, and lines are written whole.
    /// </summary>
    private sealed class BuildProgressPrinter(TextWriter output) : IProgress<BuildEvent>
    {
        private readonly Lock _lock = new();
        private readonly BaseImagePullDisplay _pulls = new(output, terminal: false);
        private Dictionary<int, string> _labels = [];

        public void Report(BuildEvent value)
        {
            lock (_lock)
            {
                switch (value)
                {
                    case StagesPlanned p:
                        _labels = p.Stages.ToDictionary(s => s.Stage, s => $"[{s.Label}] ");
                        break;
                    case StepStarted s:
                        output.WriteLine($"{Label(s.Stage)}Step {s.Step}/{s.StepCount} : {s.Text.ReplaceLineEndings(" ")}");
                        break;
                    case StepFinished { Layer: { } layer } f:
                        output.WriteLine($"{Label(f.Stage)} ---> layer {layer.Short} ({HumanUnits.Size(f.LayerSize)} compressed, {f.Elapsed.TotalSeconds:0.00}s)");
                        break;
                    case StepCacheHit c:
                        output.WriteLine($"{Label(c.Stage)} ---> Using cache");
                        break;
                    case StepOutput o:
                        output.WriteLine($"{Label(o.Stage)} {o.Step}| {o.Line}");
                        break;
                    case BaseImageTransfer t:
                        _pulls.Report(t);
                        break;
                    case BuildWarning w:
                        output.WriteLine($"[Warning] {w.Message}");
                        break;
                }
            }
        }

        private string Label(int stage) => _labels.GetValueOrDefault(stage, "");
    }
}
