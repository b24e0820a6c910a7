using Tabula.Registry;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Registry;

/// <summary>A CA file the user gave that cannot be read is reported with its name, not dropped to fail later as a TLS error.</summary>
public sealed class CertificateDirectoryTests
{
    [Fact]
    public void An_unreadable_CA_file_is_named()
    {
        using var temp = new TempDir("certs");
        var bad = temp.Combine("ca.crt");
        File.WriteAllText(bad, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");

        var error = Assert.Throws<RegistryException>(() => new RegistryClient("registry.example:5000", new RegistryOptions { CertificateDirectory = temp.Path }));

        Assert.Contains(bad, error.Message);
        Assert.Contains("not a readable PEM certificate", error.Message);
    }
}
