using Tabula.Registry;

namespace Tabula.Tests.Registry;

public class RegistryEnvironmentTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Insecure_hosts_come_from_the_variable_and_the_caller()
    {
        var options = RegistryEnvironment.Options(Env(("TABULA_INSECURE_REGISTRIES", " a.example:5000 , b.example,")), insecureRegistry: "c.example");

        Assert.Equal(["a.example:5000", "b.example", "c.example"], options.InsecureRegistries.Order(StringComparer.Ordinal));
        Assert.True(options.SkipsTlsVerification("c.example"));
        Assert.False(options.SkipsTlsVerification("d.example"));
    }

    [Fact]
    public void The_callers_certificate_directory_wins_over_the_variable()
    {
        var environment = Env(("TABULA_CERT_DIR", "/from/env"));

        Assert.Equal("/from/env", RegistryEnvironment.Options(environment).CertificateDirectory);
        Assert.Equal("/given", RegistryEnvironment.Options(environment, certificateDirectory: "/given").CertificateDirectory);
        Assert.Null(RegistryEnvironment.Options(Env(("TABULA_CERT_DIR", ""))).CertificateDirectory);
    }

    [Fact]
    public void Credentials_are_docker_config_unless_given()
    {
        var given = new StaticCredentialSource(new RegistryCredential("u", "p"));

        Assert.IsType<DockerConfigFile>(RegistryEnvironment.Options(Env()).Credentials);
        Assert.Same(given, RegistryEnvironment.Options(Env(), credentials: given).Credentials);
        Assert.Empty(RegistryEnvironment.Options(Env()).InsecureRegistries);
    }
}
