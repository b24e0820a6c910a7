using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>The bearer token flow against a real registry whose tokens come from a token server in the test.</summary>
public class RegistryTokenAuthTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnonymousPullAndLoggedInPushUseScopedTokens()
    {
        using var dir = new TempDir("token");
        await using var tokens = RegistryTokenServer.Start(dir, ("pusher", "T0ken-Pa55word"));
        await using var registry = await RegistryServer.StartAsync(Token, extraConfig: tokens.RegistryConfig);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        await cli.RunCheckedAsync("build", "-q", "-t", "busybox-fixture:1", context);
        var remote = $"{registry.Host}/bearer/busybox:1";

        // Anonymous tokens carry pull only: the push is refused, and the message says to log in.
        var (code, _, error) = await cli.RunAsync("push", "busybox-fixture:1", remote);
        Assert.Equal(1, code);
        Assert.Contains($"tabula login {registry.Host}", error);
        Assert.Contains(tokens.Requests, r => r.User is null && r.Scope.Contains("repository:bearer/busybox:pull,push"));

        var login = await cli.RunCheckedAsync("login", "-u", "pusher", "-p", "T0ken-Pa55word", registry.Host);
        Assert.Contains("Login Succeeded", login);
        var push = await cli.RunCheckedAsync("push", "busybox-fixture:1", remote);
        Assert.Contains("Pushed", push);
        Assert.DoesNotContain("T0ken-Pa55word", login + push + error);

        // One token per scope, reused: far fewer token requests than registry requests.
        var pushTokens = tokens.Requests.Count(r => r.User == "pusher" && r.Scope == "repository:bearer/busybox:pull,push");
        Assert.InRange(pushTokens, 1, 2);

        using var anonymous = new RegistryCliSession();
        var pull = await anonymous.RunCheckedAsync("pull", remote);
        Assert.Contains("Pull complete", pull);
        Assert.Contains(tokens.Requests, r => r.User is null && r.Scope == "repository:bearer/busybox:pull");
    }
}
