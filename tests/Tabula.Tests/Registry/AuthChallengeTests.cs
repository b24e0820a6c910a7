using Tabula.Registry;

namespace Tabula.Tests.Registry;

public class AuthChallengeTests
{
    [Fact]
    public void ParsesDockerHubBearerChallenge()
    {
        var challenge = AuthChallenge.Parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"");
        Assert.NotNull(challenge);
        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.docker.io/token", challenge.Realm);
        Assert.Equal("registry.docker.io", challenge.Service);
        Assert.Equal("repository:library/busybox:pull", challenge.Scope);
    }

    [Fact]
    public void ParsesBasicWithRealmAndUnquotedValues()
    {
        var challenge = AuthChallenge.Parse("Basic realm=tabula-test");
        Assert.NotNull(challenge);
        Assert.True(challenge.IsBasic);
        Assert.Equal("tabula-test", challenge.Realm);
    }

    [Fact]
    public void ParsesEscapesCaseInsensitiveNamesAndSeveralChallenges()
    {
        var all = AuthChallenge.ParseAll("Basic realm=\"a \\\"quoted\\\" realm\", Bearer REALM=\"https://t.example/token\" , service=svc");
        Assert.Equal(2, all.Count);
        Assert.Equal("a \"quoted\" realm", all[0].Realm);
        Assert.Equal("https://t.example/token", all[1].Realm);
        Assert.Equal("svc", all[1].Service);
        // Bearer is preferred when both are offered.
        Assert.True(AuthChallenge.Parse("Basic realm=x, Bearer realm=\"https://t/\"")!.IsBearer);
    }

    [Fact]
    public void ScopeStringsAreTheTokenSpecs()
    {
        Assert.Equal("repository:library/busybox:pull", RegistryScope.Pull("library/busybox").ToString());
        Assert.Equal("repository:team/app:pull,push", RegistryScope.PullPush("team/app").ToString());
        Assert.Equal("repository:a:pull repository:b:pull,push",
            RegistryScope.Key([RegistryScope.PullPush("b"), RegistryScope.Pull("a"), RegistryScope.Pull("a")]));
    }
}
