namespace Tabula.Build.Mounts;

/// <summary><c>type=ssh</c>: an SSH agent socket forwarded from the client. Parsed so that its errors are BuildKit's; not run yet.</summary>
internal sealed record SshMount(string Id, string? Target, bool Required) : RunMount
{
    public override string KeyText => $"ssh id={Id} target={Target} required={Required}";
}
