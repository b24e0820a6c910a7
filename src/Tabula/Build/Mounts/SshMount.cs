namespace Tabula.Build.Mounts;

/// <summary>
/// <c>type=ssh</c>: the SSH agent given as <c>--ssh</c> <paramref name="Id"/>, as a socket at <paramref name="Target"/>
/// (BuildKit's default <c>/run/buildkit/ssh_agent.N</c> when null) with the asked mode and owner; a missing agent is an
/// error only when <paramref name="Required"/>. Where the agent's socket is on this machine is never in the key.
/// </summary>
internal sealed record SshMount(string Id, string? Target, bool Required, int Mode, int Uid, int Gid) : RunMount
{
    public override string KeyText => $"ssh id={Id} target={Target} required={Required} mode={Mode} uid={Uid} gid={Gid}";
}
