using System.Text;
using System.Text.Json;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Runtime;
using Tabula.Runtime.Snapshots;
using Tabula.Transports;

namespace Tabula.Build.Attestations;

/// <summary>
/// <c>--attest type=sbom,generator=IMAGE</c>: runs the scanner image as BuildKit does. Its ENTRYPOINT and CMD run with
/// its ENV and WORKDIR, a tmpfs on /tmp, the image's filesystem read-only at <c>BUILDKIT_SCAN_SOURCE</c>
/// (<c>/run/src/core/sbom</c>), each extra source read-only under <c>BUILDKIT_SCAN_SOURCE_EXTRAS</c>
/// (<c>/run/src/extras/sbom-NAME</c>; the context as <c>.dockerignore</c> leaves it), the other attest attributes as <c>BUILDKIT_SCAN_KEY=VALUE</c>, and an empty
/// <c>BUILDKIT_SCAN_DESTINATION</c> (<c>/run/out/</c>); every file it leaves there is one in-toto SPDX statement.
/// </summary>
internal sealed class ScannerGenerator(ImageStore store, BuildOptions options)
{
    private const string SourceRoot = "/run/src/";
    private const string OutDirectory = "/run/out/";
    private const string CoreName = "sbom";

    /// <summary>BuildKit's limit on one statement.</summary>
    private const long MaxStatementBytes = 40L << 20;

    public async Task<IReadOnlyList<InTotoStatement>> GenerateAsync(string generator, IReadOnlyDictionary<string, string> parameters, SbomScanTargets targets,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var scanner = await LoadAsync(generator, cancellationToken).ConfigureAwait(false);
        var config = scanner.Config.Config;
        var args = ImageProcess.Args(config, null, []);
        if (args.Count == 0) throw new SbomGeneratorException($"SBOM generator {generator} has no ENTRYPOINT or CMD: give an image whose command runs the scanner");
        OciRuntime runtime;
        try { runtime = OciRuntime.Find(options.Runtime); }
        catch (FileNotFoundException e) { throw new SbomGeneratorException($"running SBOM generator {generator} needs an OCI runtime: {e.Message}", e); }

        var privileges = ContainerPrivileges.Detect();
        var workspaces = new ContainerWorkspaces(SnapshotStore.ForStore(store.Content.Root, privileges), options.Snapshotter, privileges);
        using var workspace = await workspaces.CreateAsync(scanner.Layers, "sbom", cancellationToken).ConfigureAwait(false);
        var scratch = Path.Combine(workspace.Owner.Path, "sbom");
        var mounts = new List<ContainerMount> { await SourceMountAsync(targets.Core, SourceRoot + "core/" + CoreName, Path.Combine(scratch, "core"), cancellationToken).ConfigureAwait(false) };
        foreach (var (name, source) in targets.Extras)
            mounts.Add(await SourceMountAsync(source, SourceRoot + "extras/" + CoreName + "-" + name, Path.Combine(scratch, "extras", name), cancellationToken).ConfigureAwait(false));
        var output = Directory.CreateDirectory(Path.Combine(scratch, "out")).FullName;
        mounts.Add(ContainerMount.Bind(OutDirectory.TrimEnd('/'), output, readOnly: false));

        var env = new List<string> { "BUILDKIT_SCAN_DESTINATION=" + OutDirectory, "BUILDKIT_SCAN_SOURCE=" + SourceRoot + "core/" + CoreName };
        if (targets.Extras.Count > 0) env.Add("BUILDKIT_SCAN_SOURCE_EXTRAS=" + SourceRoot + "extras/");
        env.AddRange(parameters.Select(p => $"BUILDKIT_SCAN_{p.Key}={p.Value}"));
        using var log = new MemoryStream();
        int exitCode;
        try
        {
            exitCode = await ContainerRun.RunAsync(new ContainerRequest
            {
                Runtime = runtime,
                BundleDirectory = workspace.BundleDirectory,
                Tree = workspace.Tree,
                Overlay = workspace.Overlay?.Rootfs,
                Owner = workspace.Owner,
                Args = args,
                Env = ImageProcess.Env(config, env),
                WorkingDir = config?.WorkingDir,
                User = config?.User,
                Network = options.Network,
                TmpfsTmp = true,
                Mounts = mounts,
                Stdout = log,
                Stderr = log,
                Privileges = privileges,
                Sandbox = options.Sandbox,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or ContainerPrivilegeException)
        {
            throw new SbomGeneratorException($"SBOM generator {generator} could not start: {e.Message}", e);
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (exitCode != 0)
            throw new SbomGeneratorException($"SBOM generator {generator} failed with exit code {exitCode}: {LastLine(log)}");
        return ReadStatements(output, generator);
    }

    /// <summary>The generator image: from the store, else pulled for this machine's platform (the scanner runs here).</summary>
    private async Task<IImage> LoadAsync(string generator, CancellationToken cancellationToken)
    {
        if (await store.Resolver.TryResolveAsync(generator, cancellationToken).ConfigureAwait(false) is { } stored)
            return await store.LoadAsync(stored, Platform.Host, cancellationToken).ConfigureAwait(false);
        if (!ImageReference.TryParse(generator, out var reference) || reference is null)
            throw new SbomGeneratorException($"SBOM generator '{generator}' is not in the store and is not a name to pull");
        try
        {
            using var client = new Registry.RegistryClient(reference.Registry, options.Registry ?? new Registry.RegistryOptions());
            await new RegistryPuller(store, client).PullAsync(reference, Platform.Host, allPlatforms: false, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException or Archives.PlatformNotFoundException or NotSupportedException)
        {
            throw new SbomGeneratorException($"SBOM generator {generator}: not in the store, and pulling it failed: {e.Message}", e);
        }
        var pulled = await store.Resolver.TryResolveAsync(reference.ToString(), cancellationToken).ConfigureAwait(false)
            ?? throw new SbomGeneratorException($"SBOM generator {generator}: pulled, but not found in the store afterwards");
        return await store.LoadAsync(pulled, Platform.Host, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A source read-only at its place: the context's kept entries, or an image's layers unpacked, in the scan's scratch folder.</summary>
    private static async Task<ContainerMount> SourceMountAsync(ScanSource source, string destination, string scratch, CancellationToken cancellationToken)
    {
        if (source.Context is { } context) ContextView.Create(context, scratch);
        else
        {
            Directory.CreateDirectory(scratch);
            await RootfsUnpacker.UnpackAsync(source.Layers!, scratch, cancellationToken).ConfigureAwait(false);
        }
        return ContainerMount.Bind(destination, scratch, readOnly: true);
    }

    /// <summary>
    /// Every entry the generator wrote, in name order with the core's (<c>sbom</c> before the first dot) first, as
    /// BuildKit orders them; each must be a regular file holding one SPDX statement.
    /// </summary>
    private static List<InTotoStatement> ReadStatements(string output, string generator)
    {
        var names = Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).OfType<string>()
            .OrderBy(n => n.Split('.')[0] == CoreName ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal).ToList();
        var statements = new List<InTotoStatement>();
        foreach (var name in names)
        {
            var path = Path.Combine(output, name);
            var info = new FileInfo(path);
            if (!info.Exists || info.LinkTarget is not null)
                throw new SbomGeneratorException($"SBOM generator {generator} wrote {name}, which is not a regular file: a generator writes one statement per file");
            if (info.Length > MaxStatementBytes)
                throw new SbomGeneratorException($"SBOM generator {generator} wrote {name} of {info.Length} bytes, more than the {MaxStatementBytes} a statement may have");
            InTotoStatement statement;
            try
            {
                statement = JsonSerializer.Deserialize(File.ReadAllBytes(path), InTotoJsonContext.Default.InTotoStatement)
                    ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new SbomGeneratorException($"SBOM generator {generator} wrote {name}, which is not an in-toto statement: {e.Message}", e);
            }
            if (statement.PredicateType != InTotoStatement.SpdxPredicate)
                throw new SbomGeneratorException($"SBOM generator {generator} wrote {name} of predicate type '{statement.PredicateType}': an SBOM statement's is {InTotoStatement.SpdxPredicate}");
            statements.Add(statement with { Type = InTotoStatement.TypeV1 });
        }
        return statements;
    }

    private static string LastLine(MemoryStream log)
    {
        var lines = Encoding.UTF8.GetString(log.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "it printed nothing" : lines[^1];
    }
}

/// <summary>An SBOM generator could not be had, could not run, failed, or wrote something that is no SPDX statement.</summary>
public sealed class SbomGeneratorException(string message, Exception? inner = null) : Exception(message, inner);
