namespace Tabula.Runtime;

/// <summary>Containers (RUN, <c>tabula run</c>) cannot be started with the privileges this process has.</summary>
public sealed class ContainerPrivilegeException(string message) : InvalidOperationException(message)
{
    /// <summary>
    /// Rootless containers need user namespaces set up for the runtime, which Tabula does not do yet, so running
    /// one as a normal user fails inside runc with a message that does not say why. Say it up front instead.
    /// </summary>
    public static void ThrowUnlessPrivileged()
    {
        if (!Environment.IsPrivilegedProcess)
            throw new ContainerPrivilegeException(
                "running a container (RUN, tabula run) needs root: run tabula as root (e.g. with sudo); rootless mode through user namespaces is not supported yet");
    }
}
