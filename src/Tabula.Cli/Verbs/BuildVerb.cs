using System.CommandLine;
using Tabula.Build;
using Tabula.Cli.Build;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Sbom;
using Tabula.Transports;

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
        var platform = new Option<string[]>("--platform")
        {
            Description = "Target platform OS/ARCH[/VARIANT] (default: this machine's); several, comma-separated or repeated, build one image each under one image index",
            AllowMultipleArgumentsPerToken = false,
        };
        var timestamp = new Option<string?>("--timestamp") { Description = "Unix time for created times and layer mtimes (default: $SOURCE_DATE_EPOCH), for reproducible digests" };
        var target = new Option<string?>("--target") { Description = "Build this stage and what it needs, not the last stage" };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not reuse results of earlier RUN steps" };
        var noCacheFilter = new Option<string[]>("--no-cache-filter")
        {
            Description = "Do not reuse earlier results in these stages (names or indexes; comma-separated or repeated)",
            AllowMultipleArgumentsPerToken = false,
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the image ID" };
        var ociMediaTypes = new Option<bool>("--oci-mediatypes") { Description = "OCI media types (default); --oci-mediatypes=false writes Docker v2 schema 2", DefaultValueFactory = _ => true };
        var pull = new Option<bool>("--pull") { Description = "Always pull registry base images, even when the store has them" };
        var compression = new Option<string>("--compression") { Description = "Layer compression: gzip (default), zstd (implies OCI media types) or none", DefaultValueFactory = _ => "gzip" };
        var runtime = new Option<string?>("--runtime") { Description = "OCI runtime for RUN: a program name or path (default: runc)" };
        var network = new Option<string>("--network") { Description = "Network of RUN steps: host (default) or none", DefaultValueFactory = _ => "host" };
        var secrets = new Option<string[]>("--secret") { Description = "A secret for RUN --mount=type=secret: id=ID,src=FILE (or env=VARIABLE); repeatable" };
        var progress = new Option<string?>("--progress") { Description = $"Progress output: {BuildProgressModes.Accepted} (default: $BUILDKIT_PROGRESS, else auto: tty on a terminal, else plain)" };
        var outputs = new Option<string[]>("--output", "-o") { Description = "Where the image goes: type=image[,name=NAME][,push=true] (default: the store), type=docker|oci[,dest=FILE] (an archive; stdout without dest), type=tar,dest=FILE or type=local,dest=DIR (the flattened filesystem); a bare DIR is type=local. Other than image, the store names nothing" };
        var push = new Option<bool>("--push") { Description = "Push every -t name to its registry after the build (--tls-verify, --cert-dir as for push)" };
        var load = new Option<bool>("--load") { Description = "Accepted for buildx's scripts and does nothing: the image always goes to the store (-o type=docker writes a docker-archive)" };
        var iidFile = new Option<string?>("--iidfile") { Description = "Write the image ID (sha256:...) to this file" };
        var metadataFile = new Option<string?>("--metadata-file") { Description = "Write buildx's build result metadata (digests, descriptor, names) as JSON to this file" };
        var cacheFrom = new Option<string[]>("--cache-from") { Description = "Look steps up in a shared build cache: type=registry,ref=REF (or just REF) or type=local,src=DIR; repeatable" };
        var cacheTo = new Option<string[]>("--cache-to") { Description = "Export the build cache: type=registry,ref=REF or type=local,dest=DIR, with mode=min|max (default min) and ignore-error=false to fail the build when the export fails (default: warn)" };
        var attest = new Option<string[]>("--attest")
        {
            Description = "Attach an attestation to the image, as buildx: type=sbom[,generator=IMAGE] puts an SBOM attestation manifest beside the image in an index (generator: a scanner image run as BuildKit runs it; default: tabula's own SPDX generator); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var check = BuildCheckOutput.Option();
        var registryFlags = new RegistryFlags();
        var command = new Command("build", "Build an image from a Dockerfile")
        {
            contextArg, tags, file, buildArgs, labels, platform, timestamp, target, noCache, noCacheFilter, quiet, ociMediaTypes, compression, pull, runtime, network, secrets,
            progress, outputs, push, load, iidFile, metadataFile, cacheFrom, cacheTo, attest, check,
        };
        registryFlags.AddTo(command);
        var sbomFlags = new SbomFlags();
        sbomFlags.AddTo(command);
        var inputs = new BuildInputFlags();
        inputs.AddTo(command);
        var containerFlags = new BuildContainerFlags();
        containerFlags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var platforms = PlatformList.Parse(parse.GetValue(platform) ?? []);
            var cacheImports = (parse.GetValue(cacheFrom) ?? []).Select(CacheFlagParsing.From).ToList();
            var cacheExports = (parse.GetValue(cacheTo) ?? []).Select(CacheFlagParsing.To).ToList();
            var plan = BuildPlan.Read(parse.GetValue(outputs) ?? [], parse.GetValue(tags) ?? [], parse.GetValue(push), parse.GetValue(iidFile));
            var sbomFormat = sbomFlags.Requested(parse);
            var sbomAttestation = AttestFlagParsing.Sbom(parse.GetValue(attest) ?? []);
            if (sbomAttestation is not null && plan.Output.Type is BuildOutputType.Tar or BuildOutputType.Local)
                throw new UsageException($"--attest puts an attestation beside the image in an index, and -o type={plan.Output.Type.ToString().ToLowerInvariant()} writes only a filesystem: use type=image, oci or docker, or leave --attest out");
            if (sbomFormat is not null && !plan.Push)
                throw new UsageException("--sbom attaches an SBOM to the pushed image: add --push (or write one with 'tabula sbom IMAGE -o FILE')");
            var writer = plan.Output.ToStdout ? context.Error : context.Out; // an archive on stdout: progress goes to stderr, as in buildx
            bool terminal = BuildDisplay.IsTerminal(writer);
            var mode = BuildProgressModes.Choose(parse.GetValue(progress), parse.GetValue(quiet), context.Environment, terminal);
            using var secretFiles = new TemporarySecretFiles();
            using var stdinContext = await StdinContext.PrepareAsync(parse.GetValue(contextArg)!, parse.GetValue(file), context.OpenInput, ct);
            var options = containerFlags.Apply(parse, inputs.Apply(parse, new BuildOptions
            {
                ContextDirectory = stdinContext.Directory,
                DockerfilePath = stdinContext.DockerfilePath,
                DockerfileText = stdinContext.DockerfileText,
                Tags = plan.Tags,
                NameInStore = plan.NamesInStore,
                BuildArgs = BuildFlagParsing.BuildArgs(parse.GetValue(buildArgs) ?? [], context.Environment),
                Labels = BuildFlagParsing.Labels(parse.GetValue(labels) ?? []),
                Platforms = platforms,
                Timestamp = BuildFlagParsing.Timestamp(parse.GetValue(timestamp) ?? context.Environment("SOURCE_DATE_EPOCH")),
                Target = parse.GetValue(target),
                NoCache = parse.GetValue(noCache),
                NoCacheStages = (parse.GetValue(noCacheFilter) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .ToHashSet(StringComparer.OrdinalIgnoreCase),
                Pull = parse.GetValue(pull),
                Registry = RegistryEnvironment.Options(context.Environment) with
                {
                    Timeout = context.NetworkTimeout(parse) ?? Tabula.Registry.RegistryOptions.DefaultTimeout,
                },
                CacheFrom = cacheImports,
                CacheTo = cacheExports,
                SbomAttestation = sbomAttestation,
                OciMediaTypes = parse.GetValue(ociMediaTypes) || plan.Output.Type == BuildOutputType.Oci, // as BuildKit's oci exporter
                Compression = LayerCompressionNames.TryParse(parse.GetValue(compression), out var layerCompression)
                    ? layerCompression
                    : throw new UsageException($"unknown --compression '{parse.GetValue(compression)}': use {LayerCompressionNames.Accepted}"),
                Runtime = parse.GetValue(runtime),
                Snapshotter = context.Environment("TABULA_SNAPSHOTTER") is { Length: > 0 } snapshotter
                    ? Enum.TryParse<Tabula.Runtime.Snapshotter>(snapshotter, ignoreCase: true, out var chosen) && Enum.IsDefined(chosen) ? chosen
                        : throw new UsageException($"TABULA_SNAPSHOTTER={snapshotter} is not one of auto, overlay, copy")
                    : Tabula.Runtime.Snapshotter.Auto,
                Secrets = BuildFlagParsing.Secrets(parse.GetValue(secrets) ?? [], context.Environment, secretFiles),
                Network = Tabula.Runtime.NetworkModeNames.TryParse(parse.GetValue(network), out var networkMode)
                    ? networkMode
                    : throw new UsageException($"unknown --network '{parse.GetValue(network)}': use {Tabula.Runtime.NetworkModeNames.Accepted}"),
            }, context.Environment));
            if (parse.GetValue(check)) return await BuildCheckOutput.RunAsync(new Builder(store), options, context.Out, ct);
            // An image that goes only to an output is named nowhere: the lease keeps prune off its blobs until written.
            using var lease = await store.Content.AcquireWriteLeaseAsync(ct);
            using var display = BuildDisplay.Create(mode, writer, TerminalSize.Current(terminal, context.Environment));
            BuildResult result;
            try
            {
                result = await new Builder(store, display).BuildAsync(options, ct);
            }
            catch
            {
                display.Failed();
                throw;
            }
            display.Completed(result, plan.NamesInStore ? plan.Tags : []);
            if (await BuildOutputWriter.WriteAsync(store, plan.Output, result, plan.Tags, ct) is > 0 and var skipped)
                context.Error.WriteLine($"warning: {skipped} device node(s) left out of {plan.Output.Destination}: making them needs root");
            PushResult? pushed = null;
            if (plan.Push)
            {
                var source = new StoredImage(result.Manifest, result.ImageId, plan.Tags);
                // The SBOM is made once, from the image just built, and attached to every name it is pushed to.
                SbomAttachment? sbom = null;
                if (sbomFormat is { } format)
                {
                    var built = await store.LoadAsync(source, null, ct);
                    sbom = new SbomAttachment(format, await ImageSbom.CreateAsync(built, plan.Tags[0].ToString(), format, options.Timestamp, ct), options.Timestamp);
                }
                foreach (var tag in plan.Tags)
                    pushed = await PushVerb.PushAsync(context, parse, registryFlags, store, source, tag, null, quiet: mode is BuildProgressMode.Quiet or BuildProgressMode.RawJson, writer, ct, sbom);
            }
            if (parse.GetValue(iidFile) is { } iidPath) await BuildMetadataFiles.WriteImageIdAsync(iidPath, result, ct);
            if (parse.GetValue(metadataFile) is { } metadataPath)
                await BuildMetadataFiles.WriteMetadataAsync(metadataPath, result, plan.Output.Type is BuildOutputType.Image or BuildOutputType.Docker or BuildOutputType.Oci, plan.Tags, pushed, ct);
            return CliApp.Ok;
        });
        return command;
    }
}
