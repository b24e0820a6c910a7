namespace Tabula.Build.Mounts;

/// <summary>
/// <c>type=bind</c> (the default type): <paramref name="Source"/> of the build context, or of the stage or stored image
/// named by <paramref name="From"/>; read-only unless <paramref name="ReadWrite"/>, and then its writes are thrown away.
/// </summary>
internal sealed record BindMount(string Target, string Source, string? From, bool ReadWrite) : RunMount
{
    public override string KeyText => $"bind target={Target} source={Source} from={From} rw={ReadWrite}";
}
