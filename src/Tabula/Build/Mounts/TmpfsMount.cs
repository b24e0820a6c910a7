namespace Tabula.Build.Mounts;

/// <summary><c>type=tmpfs</c>: an empty tmpfs for this one command, at most <paramref name="Size"/> bytes when given.</summary>
internal sealed record TmpfsMount(string Target, long? Size) : RunMount
{
    public override string KeyText => $"tmpfs target={Target} size={Size}";
}
