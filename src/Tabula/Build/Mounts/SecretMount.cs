namespace Tabula.Build.Mounts;

/// <summary>
/// <c>type=secret</c>: the <c>--secret</c> named <paramref name="Id"/> as a file at <paramref name="Target"/> and/or as the
/// variable <paramref name="Env"/>; a missing secret is an error only when <paramref name="Required"/>. Never in the cache key.
/// </summary>
internal sealed record SecretMount(string Id, string? Target, string? Env, bool Required, int Mode, int Uid, int Gid) : RunMount
{
    public override string? KeyText => null;
}
