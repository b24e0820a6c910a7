namespace Tabula.Runtime.Cdi;

/// <summary>A CDI device that cannot be given to a container: not registered, not allowed, or its spec unreadable.</summary>
public sealed class CdiException(string message, Exception? inner = null) : Exception(message, inner);
