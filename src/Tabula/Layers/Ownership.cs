namespace Tabula.Layers;

/// <summary>A numeric owner, as <c>--chown</c> gives it once the build has looked names up.</summary>
internal readonly record struct Ownership(int Uid, int Gid)
{
    public static Ownership Root => new(0, 0);
}
