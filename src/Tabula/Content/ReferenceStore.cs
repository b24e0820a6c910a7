using Tabula.Oci;

namespace Tabula.Content;

/// <summary>
/// The store's names: entries of the layout's <c>index.json</c>, one per name, annotated with
/// <c>io.containerd.image.name</c> = the full reference (as containerd and docker write it) and
/// <c>org.opencontainers.image.ref.name</c> = the name as <c>tabula images</c> shows it (<c>busybox:latest</c>,
/// <c>localhost:5000/app:1</c>). containerd and docker put the bare tag there in the archives they export, but in a store
/// holding many images every <c>latest</c> would be the same tag: with the whole name, <c>skopeo inspect
/// oci:STORE:busybox:latest</c> and <c>umoci unpack --image STORE:busybox:latest</c> (which match it exactly) find one
/// image. OCI allows any reference there (its grammar has <c>/</c>, <c>:</c> and <c>@</c>). An image that
/// lost its last name stays as an unnamed (dangling) entry until it is removed or pruned, as docker keeps it.
/// Every change is read-modify-write under an exclusive lock, replaced atomically.
/// </summary>
internal sealed class ReferenceStore(ContentStore content)
{
    private const string IndexFile = "index.json";
    private const string LockFile = "index.json.lock";

    private string IndexPath => Path.Combine(content.Root, IndexFile);

    public async Task<IReadOnlyList<Descriptor>> ListAsync(CancellationToken cancellationToken)
        => (await ReadIndexAsync(cancellationToken).ConfigureAwait(false)).Manifests;

    public async Task<ImageIndex> ReadIndexAsync(CancellationToken cancellationToken)
        => Parse(await ReadIndexBytesAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>index.json as it is on disk, or null when there is none yet.</summary>
    private async Task<byte[]?> ReadIndexBytesAsync(CancellationToken cancellationToken)
        => File.Exists(IndexPath) ? await File.ReadAllBytesAsync(IndexPath, cancellationToken).ConfigureAwait(false) : null;

    private ImageIndex Parse(byte[]? bytes)
    {
        if (bytes is null) return new ImageIndex { MediaType = MediaTypes.OciIndex };
        try
        {
            return OciJson.DeserializeIndex(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"the store's index.json at {IndexPath} is damaged: {e.Message}", e);
        }
    }

    /// <summary>Points <paramref name="name"/> at <paramref name="manifest"/>, keeping any image it pointed at before as dangling.</summary>
    public Task TagAsync(ImageReference name, Descriptor manifest, CancellationToken cancellationToken)
        => UpdateAsync(entries => Tag(entries, name, manifest), cancellationToken);

    /// <summary>
    /// Names several images in one replacement of index.json (a load's): as fast for two thousand names as for one, and
    /// all of them appear at once. <paramref name="unnamed"/> are recorded as dangling unless they already have an entry.
    /// </summary>
    public Task TagAllAsync(IReadOnlyList<(ImageReference Name, Descriptor Manifest)> names, IReadOnlyList<Descriptor> unnamed, CancellationToken cancellationToken)
        => UpdateAsync(entries =>
        {
            foreach (var manifest in unnamed)
                if (!entries.Any(e => e.Digest == manifest.Digest)) entries.Add(Unnamed(manifest));
            foreach (var (name, manifest) in names) Tag(entries, name, manifest);
        }, cancellationToken);

    private static void Tag(List<Descriptor> entries, ImageReference name, Descriptor manifest)
    {
            var full = name.ToString();
            var previous = entries.FindIndex(e => e.Annotation(AnnotationKeys.ContainerdImageName) == full);
            if (previous >= 0 && entries[previous].Digest == manifest.Digest)
            {
                // The name stays where it is: pulling or tagging an image again leaves index.json as it was.
                entries[previous] = Named(manifest, name);
                entries.RemoveAll(e => e.Digest == manifest.Digest && NameOf(e) is null);
                return;
            }
            if (previous >= 0)
            {
                var old = entries[previous];
                entries.RemoveAt(previous);
                if (old.Digest != manifest.Digest) KeepIfOrphaned(entries, old);
            }
            entries.RemoveAll(e => e.Digest == manifest.Digest && NameOf(e) is null);
            entries.Add(Named(manifest, name));
    }

    /// <summary>
    /// Points <paramref name="name"/> at <paramref name="manifest"/> and drops what it pointed at before unless another
    /// name keeps it: an edited manifest list replaces its previous version instead of leaving it dangling.
    /// </summary>
    public Task ReplaceAsync(ImageReference name, Descriptor manifest, CancellationToken cancellationToken)
        => UpdateAsync(entries =>
        {
            var previous = entries.FirstOrDefault(e => e.Annotation(AnnotationKeys.ContainerdImageName) == name.ToString())?.Digest;
            Tag(entries, name, manifest);
            if (previous is { } old && old != manifest.Digest) entries.RemoveAll(e => e.Digest == old && NameOf(e) is null);
        }, cancellationToken);

    /// <summary>Records an image that has no name (a build without <c>-t</c>), so it is listed and kept.</summary>
    public Task AddUnnamedAsync(Descriptor manifest, CancellationToken cancellationToken)
        => UpdateAsync(entries =>
        {
            if (entries.Any(e => e.Digest == manifest.Digest)) return;
            entries.Add(Unnamed(manifest));
        }, cancellationToken);

    /// <summary>Removes a name. The image stays as dangling when no other name points at it, unless <paramref name="dropOrphan"/>.</summary>
    public async Task<Descriptor?> UntagAsync(ImageReference name, bool dropOrphan, CancellationToken cancellationToken)
    {
        Descriptor? removed = null;
        await UpdateAsync(entries =>
        {
            var full = name.ToString();
            int i = entries.FindIndex(e => e.Annotation(AnnotationKeys.ContainerdImageName) == full);
            if (i < 0) return;
            removed = entries[i];
            entries.RemoveAt(i);
            if (!dropOrphan) KeepIfOrphaned(entries, removed);
        }, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Removes every entry (named or not) of a manifest digest.</summary>
    public Task RemoveAllAsync(Digest manifest, CancellationToken cancellationToken)
        => UpdateAsync(entries => entries.RemoveAll(e => e.Digest == manifest), cancellationToken);

    /// <summary>Applies a change to the entry list under the lock and replaces index.json atomically.</summary>
    public async Task UpdateAsync(Action<List<Descriptor>> change, CancellationToken cancellationToken)
    {
        using var _ = await StoreLock.AcquireAsync(Path.Combine(content.Root, LockFile), exclusive: true, cancellationToken).ConfigureAwait(false);
        var current = await ReadIndexBytesAsync(cancellationToken).ConfigureAwait(false);
        var index = Parse(current);
        var entries = index.Manifests.ToList();
        change(entries);
        // Stores written before names were whole carry bare tags: any change brings every entry up to date.
        for (int i = 0; i < entries.Count; i++)
            if (NameOf(entries[i]) is { } name && entries[i].Annotation(AnnotationKeys.RefName) != RefName(name))
                entries[i] = entries[i].WithAnnotation(AnnotationKeys.RefName, RefName(name));
        cancellationToken.ThrowIfCancellationRequested();
        var updated = OciJson.Serialize(index with { SchemaVersion = 2, MediaType = MediaTypes.OciIndex, Manifests = entries });
        // The same bytes are already there, durably (every index.json is written so): an image pulled again costs no
        // replacement and no fsyncs but the blobs' (some may have been missing and come back).
        if (current is not null && updated.AsSpan().SequenceEqual(current))
        {
            content.SyncBlobs();
            return;
        }
        // What the new index names must survive a crash before the index does: the blob folders are synced while the
        // new index is written and synced, and both are done before it is renamed into place.
        var blobsSynced = Task.Run(content.SyncBlobs, CancellationToken.None);
        try
        {
            AtomicFile.Write(IndexPath, updated, beforeRename: () => blobsSynced.GetAwaiter().GetResult());
        }
        catch
        {
            // A failed write does not leave the sync running behind it; the write's error is the one reported.
            try { blobsSynced.Wait(CancellationToken.None); } catch (AggregateException) { }
            throw;
        }
    }

    /// <summary>The full name an index entry carries, or null for a dangling image.</summary>
    public static ImageReference? NameOf(Descriptor entry)
    {
        var full = entry.Annotation(AnnotationKeys.ContainerdImageName);
        if (full is not null && ImageReference.TryParse(full, out var reference)) return reference;
        // Layouts written by other tools may carry only a bare ref.name tag; it is not a full name.
        return null;
    }

    private static Descriptor Named(Descriptor manifest, ImageReference name)
        => Strip(manifest).WithAnnotation(AnnotationKeys.ContainerdImageName, name.ToString()).WithAnnotation(AnnotationKeys.RefName, RefName(name));

    /// <summary>The <c>ref.name</c> of a name in the store: the familiar form, unique as the full one is.</summary>
    public static string RefName(ImageReference name) => name.ToFamiliarString();

    private static Descriptor Unnamed(Descriptor manifest) => Strip(manifest);

    private static Descriptor Strip(Descriptor manifest) => manifest with { Annotations = null, Urls = null };

    private static void KeepIfOrphaned(List<Descriptor> entries, Descriptor old)
    {
        if (!entries.Any(e => e.Digest == old.Digest)) entries.Add(Unnamed(old));
    }
}
