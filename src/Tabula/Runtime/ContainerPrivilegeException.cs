namespace Tabula.Runtime;

/// <summary>Containers (RUN, <c>tabula run</c>) cannot be started with the privileges this process has.</summary>
public sealed class ContainerPrivilegeException(string message) : InvalidOperationException(message);
