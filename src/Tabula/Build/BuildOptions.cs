using Tabula.Oci;

namespace Tabula.Build;

/// <summary>What <c>tabula build</c> was asked to do.</summary>
public sealed record BuildOptions
{
    /// <summary>The build context folder; files are read only from here.</summary>
    public required string ContextDirectory { get; init; }

    /// <summary>The Dockerfile's path (default: the context's <c>Dockerfile</c>, <c>dockerfile</c> or <c>Containerfile</c>, see <see cref="Tabula.Dockerfile.DockerfileLocator"/>).</summary>
    public string? DockerfilePath { get; init; }

    /// <summary>The Dockerfile's text when it does not come from a file (<c>-f -</c>).</summary>
    public string? DockerfileText { get; init; }

    public IReadOnlyList<ImageReference> Tags { get; init; } = [];

    /// <summary>
    /// Whether the store names the built image (its <see cref="Tags"/>, else an unnamed entry). False when the image
    /// only goes to an output such as an archive (buildx writes only to the output): its blobs stay in the store
    /// unnamed, so the build cache can still use its layers, until <c>prune</c> removes them.
    /// </summary>
    public bool NameInStore { get; init; } = true;

    /// <summary>Set on each platform's build of a multi-platform build, which makes one image (not another index).</summary>
    internal bool PlatformOfIndex { get; init; }

    /// <summary>
    /// <c>--attest type=sbom</c>: each platform's image gets an attestation manifest of SBOM statements beside it in
    /// the build's index (BuildKit's layout); null for none.
    /// </summary>
    public Attestations.SbomAttestation? SbomAttestation { get; init; }

    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>Labels set on the built image (<c>--label</c>), over those its Dockerfile sets.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The target platform (default: this machine's).</summary>
    public Platform? Platform { get; init; }

    /// <summary>
    /// Two or more target platforms (<c>--platform a,b</c>): one image is built for each and the result is an image index
    /// naming them (<see cref="BuildResult.Manifest"/> is the index). Takes the place of <see cref="Platform"/>.
    /// </summary>
    public IReadOnlyList<Platform> Platforms { get; init; } = [];

    /// <summary>SOURCE_DATE_EPOCH: creation times and layer mtimes are set or clamped to it, for reproducible digests.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The stage to build (default: the last one).</summary>
    public string? Target { get; init; }

    public bool NoCache { get; init; }

    /// <summary>
    /// Stages (by name or index) whose steps are not taken from the cache, as docker's <c>--no-cache-filter</c>; their
    /// results are still cached for later builds, as with <see cref="NoCache"/>.
    /// </summary>
    public IReadOnlySet<string> NoCacheStages { get; init; } = new HashSet<string>();

    /// <summary>Whether the steps of <paramref name="stage"/> may come from the cache.</summary>
    internal bool NoCacheFor(Tabula.Dockerfile.Stage stage)
        => NoCache || NoCacheStages.Contains(stage.Index.ToString(System.Globalization.CultureInfo.InvariantCulture))
            || (stage.Name is { } name && NoCacheStages.Contains(name));
    /// <summary>
    /// OCI media types (the default, as buildah, podman and BuildKit's OCI exporter write them), or Docker v2 schema 2
    /// when false (what docker's classic store keeps).
    /// </summary>
    public bool OciMediaTypes { get; init; } = true;
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;

    /// <summary>Secrets for <c>RUN --mount=type=secret</c>: id → file on this machine.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// SSH agents for <c>RUN --mount=type=ssh</c>: id → the agent's socket on this machine (docker's <c>--ssh ID=SOCKET</c>).
    /// A RUN gets a socket of its own that relays to it; the path is never in an image, the cache key or the output.
    /// </summary>
    public IReadOnlyDictionary<string, string> SshAgents { get; init; } = new Dictionary<string, string>();

    /// <summary>The OCI runtime RUN uses: a program name or path (default: runc).</summary>
    public string? Runtime { get; init; }

    /// <summary>How RUN gets its root filesystem: overlay snapshots where possible (default), or always unpacked (<c>TABULA_SNAPSHOTTER</c>).</summary>
    public Tabula.Runtime.Snapshotter Snapshotter { get; init; }

    /// <summary>The network of RUN steps without <c>--network</c>: the host's (default, as BuildKit's) or none.</summary>
    public Tabula.Runtime.NetworkMode Network { get; init; } = Tabula.Runtime.NetworkMode.Host;

    /// <summary>
    /// Named contexts (<c>--build-context NAME=VALUE</c>) by <see cref="NamedContext.Key"/>: each replaces the stage,
    /// image or <c>--from</c> source of that name.
    /// </summary>
    public IReadOnlyDictionary<string, NamedContext> NamedContexts { get; init; } = new Dictionary<string, NamedContext>();

    /// <summary>Extra /etc/hosts entries, /dev/shm size and rlimits of every RUN (<c>--add-host</c>, <c>--shm-size</c>, <c>--ulimit</c>).</summary>
    public Tabula.Runtime.SandboxSettings Sandbox { get; init; } = new();

    /// <summary>What RUN may do beyond the sandbox (<c>--allow</c>, buildx's entitlements).</summary>
    public BuildEntitlements Allow { get; init; }

    /// <summary>Where <c>RUN --device</c> looks for CDI specs (default: <c>/etc/cdi</c>, <c>/var/run/cdi</c>, as BuildKit).</summary>
    public IReadOnlyList<string> CdiSpecDirectories { get; init; } = Tabula.Runtime.Cdi.CdiDevices.DefaultDirectories;

    /// <summary>Pull every registry base image again, even when the store has it (<c>--pull</c>).</summary>
    public bool Pull { get; init; }

    /// <summary>How to reach registries for base images the store lacks and for shared caches (default: docker's config for credentials).</summary>
    public Registry.RegistryOptions? Registry { get; init; }

    /// <summary>Shared build caches to look steps up in after the store's own (<c>--cache-from</c>), first match wins.</summary>
    public IReadOnlyList<SharedCache.CacheLocation> CacheFrom { get; init; } = [];

    /// <summary>Where to export the steps this build keyed (<c>--cache-to</c>).</summary>
    public IReadOnlyList<SharedCache.CacheExportTarget> CacheTo { get; init; } = [];
}

/// <summary>
/// The image a build produced, already in the store. For a multi-platform build, <see cref="Manifest"/> is the index,
/// <see cref="ImageId"/> its digest (as buildx reports a multi-platform image) and <see cref="Platforms"/> each platform's image.
/// </summary>
public sealed record BuildResult(Descriptor Manifest, Digest ImageId, IReadOnlyList<ImageReference> Tags)
{
    /// <summary>Each platform's image, in the order asked for; empty for a single-platform build.</summary>
    public IReadOnlyList<PlatformImage> Platforms { get; init; } = [];

    /// <summary>The attestation manifest written for the image (a platform's build with <see cref="BuildOptions.SbomAttestation"/>), else null.</summary>
    public Descriptor? Attestation { get; init; }

    /// <summary>The build checks' warnings, by line (BuildKit's linter; <c># check=</c> decides which run).</summary>
    public IReadOnlyList<Tabula.Dockerfile.Checks.CheckWarning> Warnings { get; init; } = [];
}

/// <summary>
/// What checking a Dockerfile found (<c>tabula build --check</c>): the warnings by line, and the error a build would
/// stop at before its first step (a parse error, or <c>error=true</c> with warnings), with the text they point into.
/// </summary>
public sealed record CheckResult(IReadOnlyList<Tabula.Dockerfile.Checks.CheckWarning> Warnings, Tabula.Dockerfile.DockerfileException? Error,
    string DockerfileText, string FileName);

/// <summary>Something worth telling the user while a build runs.</summary>
public abstract record BuildEvent;

public sealed record StepStarted(int Stage, int Step, int StepCount, string Text) : BuildEvent;

public sealed record StepFinished(int Stage, int Step, Digest? Layer, long LayerSize, TimeSpan Elapsed) : BuildEvent;
