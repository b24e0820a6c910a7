using Tabula.Oci;

namespace Tabula.Content;

/// <summary>
/// Content-addressed blobs in an OCI image layout (<c>blobs/sha256/…</c>), written through an ingest area and
/// published by rename after fsync and verification, so a crash at any instant leaves the layout valid.
/// </summary>
internal sealed class ContentStore
{
    internal const string IngestFolder = "ingest";
    private const string LeaseLockFile = "gc.lock";

    private ContentStore(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public string IngestPath => Path.Combine(Root, IngestFolder);

    /// <summary>Opens the layout at <paramref name="root"/>, creating an empty one when the folder is new.</summary>
    public static ContentStore Open(string root)
    {
        root = Path.GetFullPath(root);
        Directory.CreateDirectory(root);
        var store = new ContentStore(root);
        // index.json comes first: a store killed at any later instant is a complete OCI layout (umoci and skopeo
        // refuse one without it), and one already there is never replaced here.
        bool created = AtomicFile.CreateIfAbsent(Path.Combine(root, "index.json"), OciJson.Serialize(new ImageIndex { MediaType = MediaTypes.OciIndex }), syncFolder: false);
        Directory.CreateDirectory(Path.Combine(root, "blobs", Digest.Sha256));
        Directory.CreateDirectory(store.IngestPath);
        var marker = Path.Combine(root, "oci-layout");
        if (!File.Exists(marker))
        {
            AtomicFile.Write(marker, OciJson.Serialize(new OciLayoutFile()), syncFolder: false);
            created = true;
        }
        // Both files (each synced before its rename) are made durable by one sync of the root instead of one each,
        // before this returns and so before any blob is written.
        if (created) FileSync.Directory(root);
        return store;
    }

    public string BlobPath(Digest digest) => Path.Combine(Root, "blobs", digest.Algorithm, digest.Encoded);

    public bool Exists(Digest digest) => File.Exists(BlobPath(digest));

    /// <summary>How many blobs the store holds and the bytes they take.</summary>
    public (int Count, long Bytes) DiskUsage()
    {
        var folder = Path.Combine(Root, "blobs", Digest.Sha256);
        if (!Directory.Exists(folder)) return (0, 0);
        var files = new DirectoryInfo(folder).EnumerateFiles().ToList();
        return (files.Count, files.Sum(f => f.Length));
    }

    public long? SizeOf(Digest digest)
    {
        var info = new FileInfo(BlobPath(digest));
        return info.Exists ? info.Length : null;
    }

    /// <summary>Opens a blob for reading; the stream fails at its end unless the bytes match the digest.</summary>
    public Stream OpenRead(Digest digest, long? expectedSize = null)
    {
        FileStream file;
        try
        {
            file = new FileStream(BlobPath(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw new BlobNotFoundException(digest, $"the store at {Root}");
        }
        return new VerifyingReadStream(file, digest, expectedSize ?? file.Length, $"blob {digest.Short} in the store");
    }

    public async Task<byte[]> ReadAllBytesAsync(Digest digest, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(BlobPath(digest), cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            throw new BlobNotFoundException(digest, $"the store at {Root}");
        }
        var actual = Digest.Compute(bytes);
        if (actual != digest) throw new DigestMismatchException($"blob {digest.Short} in the store", digest, actual.ToString());
        return bytes;
    }

    /// <summary>Starts writing a blob whose digest is computed as it is written.</summary>
    public BlobWriter BeginWrite()
    {
        var name = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        return new BlobWriter(this, Path.Combine(IngestPath, name));
    }

    /// <summary>Stores small content (manifests, configs) given as bytes.</summary>
    public async Task<Digest> WriteBytesAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var digest = Digest.Compute(content.Span);
        if (Exists(digest)) return digest;
        await using var writer = BeginWrite();
        await writer.Stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        await writer.CommitAsync(digest, content.Length, cancellationToken: cancellationToken).ConfigureAwait(false);
        return digest;
    }

    /// <summary>Copies a stream into the store, verifying it against the expected digest and size while it streams.</summary>
    public async Task<(Digest Digest, long Size)> IngestAsync(Stream source, Digest? expected, long? expectedSize, string what, CancellationToken cancellationToken)
    {
        await using var writer = BeginWrite();
        await source.CopyToAsync(writer.Stream, 1 << 16, cancellationToken).ConfigureAwait(false);
        return await writer.CommitAsync(expected, expectedSize, what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Holds off garbage collection while new content is written and not yet referenced by index.json.
    /// Many writers may hold it at once; GC takes it exclusively. Taking it also removes the temp files of commands
    /// that were killed, so they do not wait for a prune.
    /// </summary>
    public async Task<StoreLock> AcquireWriteLeaseAsync(CancellationToken cancellationToken)
    {
        var lease = await StoreLock.AcquireAsync(Path.Combine(Root, LeaseLockFile), exclusive: false, cancellationToken).ConfigureAwait(false);
        StaleTempFiles.Sweep(this);
        return lease;
    }

    internal Task<StoreLock> AcquireCollectorLockAsync(CancellationToken cancellationToken)
        => StoreLock.AcquireAsync(Path.Combine(Root, LeaseLockFile), exclusive: true, cancellationToken);

    internal void Publish(string tempPath, Digest digest)
    {
        var target = BlobPath(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target))
        {
            File.Delete(tempPath);
            return;
        }
        File.SetUnixFileMode(tempPath, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(tempPath, target, overwrite: true);
        // The folder is not synced here: SyncBlobs does it once for all the blobs written before they become reachable.
    }

    /// <summary>
    /// Makes every blob renamed into the store so far durable, whoever wrote it: one fsync per <c>blobs/ALGORITHM</c>
    /// folder. Called before anything durable names blobs (index.json), so a command writing many blobs pays for one
    /// folder sync instead of one each; a blob lost to a crash before that was unreachable anyway.
    /// </summary>
    public void SyncBlobs()
    {
        var blobs = Path.Combine(Root, "blobs");
        if (!Directory.Exists(blobs)) return;
        foreach (var folder in Directory.EnumerateDirectories(blobs)) FileSync.Directory(folder);
    }
}
