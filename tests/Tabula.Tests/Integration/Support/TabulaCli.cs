using Tabula.Cli;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Tests.Integration.Support;

/// <summary>
/// Runs the <c>tabula</c> command line in-process against one store (<c>--root</c> is always given, so
/// tests never share a store or touch the user's). The environment the CLI sees is only what the test
/// sets, so a <c>SOURCE_DATE_EPOCH</c> or <c>TABULA_ROOT</c> of the machine cannot leak in.
/// </summary>
public sealed class TabulaCli(string storeRoot)
{
    public string StoreRoot { get; } = Path.GetFullPath(storeRoot);

    /// <summary>Variables the CLI sees (nothing else of this process's environment).</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs <c>tabula --root STORE ARGS…</c>; the result whatever the exit code. Standard output goes to
    /// <paramref name="output"/> when given (to watch it as it is written), else to a new <see cref="StringWriter"/>.
    /// </summary>
    public async Task<ProcessResult> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, StringWriter? output = null)
    {
        string[] args = ["--root", StoreRoot, .. arguments];
        output ??= new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, output, error, name => Environment.GetValueOrDefault(name), cancellationToken);
        return new ProcessResult("tabula " + string.Join(' ', args), exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs and throws <see cref="ProcessFailedException"/> (with stderr) unless the exit code is 0.</summary>
    public async Task<ProcessResult> RunCheckedAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        (await RunAsync(arguments, cancellationToken)).EnsureSuccess();

    /// <summary><c>tabula build -q [-t TAG] CONTEXT</c> plus <paramref name="extra"/>; returns the image ID it prints.</summary>
    public async Task<string> BuildAsync(string contextDirectory, string? tag, CancellationToken cancellationToken, params string[] extra)
    {
        List<string> arguments = ["build", "-q", .. extra];
        if (tag is not null)
            arguments.AddRange(["-t", tag]);
        arguments.Add(contextDirectory);
        var result = await RunCheckedAsync(arguments, cancellationToken);
        return result.StandardOutput.Trim();
    }

    /// <summary><c>tabula save --format FORMAT -o PATH IMAGE</c>; returns the path.</summary>
    public async Task<string> SaveAsync(string image, string archivePath, string format, CancellationToken cancellationToken)
    {
        await RunCheckedAsync(["save", "--format", format, "-o", archivePath, image], cancellationToken);
        return archivePath;
    }

    /// <summary>The manifest the store names <paramref name="image"/> with, read from its blob (the bytes as stored).</summary>
    public async Task<(Descriptor Descriptor, ImageManifest Manifest)> ReadManifestAsync(string image, CancellationToken cancellationToken)
    {
        var store = ImageStore.Open(StoreRoot);
        var stored = await store.Resolver.ResolveAsync(image, cancellationToken);
        var bytes = await store.Content.ReadAllBytesAsync(stored.Manifest.Digest, cancellationToken);
        return (stored.Manifest, OciJson.DeserializeManifest(bytes));
    }

    /// <summary>Where the store keeps a blob (<c>blobs/sha256/HEX</c>).</summary>
    public string BlobPath(Digest digest) => Path.Combine(StoreRoot, "blobs", digest.Algorithm, digest.Encoded);
}
