using System.Net;
using System.Net.Sockets;
using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_runnetwork_test.go, over the busybox fixture with runc. BuildKit's
/// echoserver is a listener on 127.0.0.1 that writes "foo" to every connection.
/// </summary>
public sealed class RunNetworkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TestRunNoNetwork()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        // BuildKit's check is "! ip link show eth0": with --network=none the container has only lo.
        var context = fixture.Context("none", $"FROM {RunFixture.BaseImage}\nRUN --network=none [ \"$(ls /sys/class/net)\" = lo ]\n");
        await fixture.BuildAsync(context, "none:1", Ct);
    }

    [Fact]
    public async Task TestRunHostNetwork()
    {
        await BuildWithEchoServerAsync("host", port => $"RUN --network=host nc 127.0.0.1 {port} | grep foo");
    }

    /// <summary>Without --network (flag or RUN option) a RUN has the host's network, as buildkitd without a CNI config gives it.</summary>
    [Fact]
    public async Task TestRunDefaultNetworkIsHost()
    {
        await BuildWithEchoServerAsync("default", port => $"RUN nc 127.0.0.1 {port} | grep foo");
    }

    /// <summary>BuildKit's force-network-mode=host is tabula's <c>--network host</c>; a step's own --network=none still wins.</summary>
    [Fact]
    public async Task TestRunGlobalNetwork()
    {
        await BuildWithEchoServerAsync("global", port => $"RUN nc 127.0.0.1 {port} | grep foo\nRUN --network=none ! nc -z 127.0.0.1 {port}", "--network", "host");
    }

    /// <summary>Builds the busybox fixture plus the RUN lines <paramref name="steps"/> makes for an echo server's port.</summary>
    private static async Task BuildWithEchoServerAsync(string name, Func<int, string> steps, params string[] flags)
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        using var server = EchoServer.Start();
        var context = fixture.Context(name, $"FROM {RunFixture.BaseImage}\n{steps(server.Port)}\n");
        await fixture.BuildAsync(context, name + ":1", Ct, flags);
    }

    private sealed class EchoServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();

        private EchoServer(TcpListener listener) => _listener = listener;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static EchoServer Start()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var server = new EchoServer(listener);
            _ = server.ServeAsync();
            return server;
        }

        private async Task ServeAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    await client.GetStream().WriteAsync("foo\n"u8.ToArray(), _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
            {
                // stopped
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
