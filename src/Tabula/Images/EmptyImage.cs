using Tabula.Oci;

namespace Tabula.Images;

/// <summary><c>scratch</c>: no layers, and the config BuildKit starts a <c>FROM scratch</c> stage with.</summary>
internal static class EmptyImage
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static ImageConfig Config(Platform platform) => new()
    {
        Architecture = platform.Architecture,
        Os = platform.Os,
        Variant = platform.Variant,
        OsVersion = platform.OsVersion,
        Config = new ContainerConfig { Env = [DefaultPath], WorkingDir = "/" },
        RootFs = new RootFs(),
        History = [],
    };

    public static IImage Create(Platform platform, bool ociMediaTypes = false) => Image.Create(Config(platform), [], ociMediaTypes);
}
