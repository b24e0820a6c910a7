namespace Tabula.IO;

/// <summary>
/// This machine has no OpenSSL, which .NET needs on Linux for image digests (SHA-256) and registry TLS. Thrown before
/// the work starts: without the library the runtime would abort the process at the first hash.
/// </summary>
public sealed class OpenSslMissingException : Exception
{
    public OpenSslMissingException()
        : base("Tabula needs OpenSSL (libssl3 or libssl1.1) for image digests and TLS, and none was found: install it (apt-get install libssl3, dnf install openssl-libs, apk add libssl3)")
    {
    }

    public OpenSslMissingException(string message)
        : base(message)
    {
    }

    public OpenSslMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
