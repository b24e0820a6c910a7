namespace Tabula.Oci;

public static class AnnotationKeys
{
    /// <summary>The tag of a manifest in an OCI layout's index.json.</summary>
    public const string RefName = "org.opencontainers.image.ref.name";

    /// <summary>The full image name (registry/repository:tag), as containerd and docker write it.</summary>
    public const string ContainerdImageName = "io.containerd.image.name";

    public const string Created = "org.opencontainers.image.created";
}
