namespace Tabula.Runtime;

/// <summary>A platform's programs cannot run on this machine: neither natively nor through a binfmt_misc emulator. The message says what to install.</summary>
public sealed class EmulationUnavailableException(string message) : Exception(message);
