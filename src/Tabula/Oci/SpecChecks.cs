namespace Tabula.Oci;

/// <summary>
/// The fields the OCI and Docker schemas require, checked once a document is parsed: JSON that parses but lacks
/// <c>manifests</c>, <c>config</c>, <c>layers</c> or <c>rootfs.diff_ids</c>, or holds a <c>null</c> where a
/// descriptor belongs, is refused here with the field's name instead of failing somewhere later.
/// </summary>
internal static class SpecChecks
{
    public static ImageIndex Check(ImageIndex index, string what)
    {
        if (index.Manifests is null) throw Missing(what, "manifests");
        for (int i = 0; i < index.Manifests.Count; i++) CheckDescriptor(index.Manifests[i], what, $"manifests[{i}]");
        return index;
    }

    public static ImageManifest Check(ImageManifest manifest, string what)
    {
        CheckDescriptor(manifest.Config, what, "config");
        if (manifest.Layers is null) throw Missing(what, "layers");
        for (int i = 0; i < manifest.Layers.Count; i++) CheckDescriptor(manifest.Layers[i], what, $"layers[{i}]");
        return manifest;
    }

    public static ImageConfig Check(ImageConfig config, string what)
    {
        if (config.RootFs is null) throw Missing(what, "rootfs");
        if (config.RootFs.DiffIds is null) throw Missing(what, "rootfs.diff_ids");
        if (config.History is { } history && history.Any(h => h is null)) throw new InvalidDataException($"{what} has a null entry in 'history'");
        return config;
    }

    private static void CheckDescriptor(Descriptor? descriptor, string what, string field)
    {
        if (descriptor is null) throw Missing(what, field);
        if (descriptor.MediaType is null) throw Missing(what, field + ".mediaType");
        if (descriptor.Digest.IsDefault) throw Missing(what, field + ".digest");
        if (descriptor.Size < 0) throw new InvalidDataException($"{what}: '{field}.size' is negative ({descriptor.Size})");
    }

    private static InvalidDataException Missing(string what, string field) => new($"{what} has no '{field}'");
}
