namespace Tabula.Dockerfile;

/// <summary>
/// A fault found by code that does not know where it is in the file; the caller that knows
/// the instruction's lines turns it into a <see cref="DockerfileException"/>.
/// </summary>
internal sealed class InstructionError(string reason) : Exception(reason);
