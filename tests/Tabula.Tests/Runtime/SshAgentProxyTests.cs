using Tabula.Layers;
using Tabula.Runtime;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Runtime;

/// <summary>The socket a RUN's ssh mount gets, checked with OpenSSH's own ssh-add against a real ssh-agent.</summary>
public sealed class SshAgentProxyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lists_the_agents_keys_and_refuses_to_change_them()
    {
        using var temp = new TempDir("ssh");
        using var agent = await SshAgentProcess.StartAsync(temp.Combine("agent.sock"), Ct);
        var listed = await agent.AddNewKeyAsync(temp.Combine("id_rsa"), Ct);
        var sshAdd = Requirements.Tool("ssh-add", "openssh-client");
        var path = temp.Combine("relay.sock");
        await using (var proxy = SshAgentProxy.Start(agent.Socket, path, 0b110_000_000, 0, 0, canChown: false))
        {
            var relayed = await ProcessRunner.RunCheckedAsync(sshAdd, ["-l"], Ct, SshAgentProcess.Environment(path));
            Assert.Equal(listed, relayed.StandardOutput.Trim());
            // Removing keys through the relay fails and leaves the agent as it was (BuildKit's read-only agent).
            var removed = await ProcessRunner.RunAsync(sshAdd, ["-D"], Ct, SshAgentProcess.Environment(path));
            Assert.NotEqual(0, removed.ExitCode);
            var added = await ProcessRunner.RunAsync(sshAdd, [temp.Combine("id_rsa")], Ct, SshAgentProcess.Environment(path));
            Assert.NotEqual(0, added.ExitCode);
            // Signing passes: ssh-keygen -Y sign asks the agent to sign with the key named by its public half.
            File.WriteAllText(temp.Combine("data"), "signed through the relay");
            await ProcessRunner.RunCheckedAsync(Requirements.Tool("ssh-keygen", "openssh-client"),
                ["-Y", "sign", "-n", "file", "-f", temp.Combine("id_rsa.pub"), temp.Combine("data")], Ct, SshAgentProcess.Environment(path) with { StandardInput = [] });
            Assert.True(File.Exists(temp.Combine("data.sig")));
        }
        Assert.False(File.Exists(path));
        var after = await ProcessRunner.RunCheckedAsync(sshAdd, ["-l"], Ct, SshAgentProcess.Environment(agent.Socket));
        Assert.Equal(listed, after.StandardOutput.Trim());
    }

    /// <summary>
    /// What BuildKit's testSSHFileDescriptorsClosed checks, without its network: three clients one after another, and the
    /// agent (in debug mode) only ever serves its first connection slot, so the relay closed each agent connection.
    /// </summary>
    [Fact]
    public async Task TestSSHFileDescriptorsClosed()
    {
        using var temp = new TempDir("ssh");
        using var agent = await SshAgentProcess.StartAsync(temp.Combine("agent.sock"), Ct, debug: true);
        var sshAdd = Requirements.Tool("ssh-add", "openssh-client");
        var path = temp.Combine("relay.sock");
        await using (SshAgentProxy.Start(agent.Socket, path, 0b110_000_000, 0, 0, canChown: false))
        {
            for (int i = 0; i < 3; i++)
            {
                var listed = await ProcessRunner.RunAsync(sshAdd, ["-l"], Ct, SshAgentProcess.Environment(path));
                Assert.Contains("no identities", listed.StandardOutput + listed.StandardError);
            }
        }
        Assert.Contains("process_message: socket 1", agent.Log);
        Assert.DoesNotContain("process_message: socket 2", agent.Log);
        Assert.DoesNotContain("process_message: socket 3", agent.Log);
    }

    [Fact]
    public async Task The_socket_takes_the_mounts_mode_and_owner()
    {
        Requirements.Root();
        using var temp = new TempDir("ssh");
        using var agent = await SshAgentProcess.StartAsync(temp.Combine("agent.sock"), Ct);
        var path = temp.Combine("relay.sock");
        await using var proxy = SshAgentProxy.Start(agent.Socket, path, 0b111_100_001, 100, 102, canChown: true);
        var status = Posix.Lstat(path)!;
        Assert.Equal((Posix.TypeSocket, 0b111_100_001, 100, 102), (status.Type, status.Permissions, status.Uid, status.Gid));
    }
}
