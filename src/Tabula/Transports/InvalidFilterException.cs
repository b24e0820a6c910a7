namespace Tabula.Transports;

/// <summary>A <c>--filter</c> that is not one docker's <c>images</c> knows, or a bad value for it.</summary>
public sealed class InvalidFilterException(string message) : Exception(message);
