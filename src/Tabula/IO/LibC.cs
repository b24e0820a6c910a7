namespace Tabula.IO;

/// <summary>
/// The C library the P/Invokes bind to. Its full soname: "libc" makes the runtime probe dozens of paths (and try the
/// linker script libc.so) before it gets there, on every start.
/// </summary>
internal static class LibC
{
    public const string Name = "libc.so.6";
}
