using Tabula.Runtime;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>A cancelled container run leaves no container behind.</summary>
public sealed class RunCancelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cancelling_a_run_kills_and_deletes_the_container()
    {
        Requirements.Root();
        var runc = Requirements.Tool("runc");
        using var temp = new TempDir("cancel");
        await BusyboxRootfs.CreateAsync(temp.Combine("bundle", "rootfs"), Ct);
        var tree = new Tabula.Layers.FileTree();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var output = new CancelOnWrite(cancel); // cancelled once the container has said it runs, not after a guessed time

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ContainerRun.RunAsync(new ContainerRequest
        {
            Runtime = new OciRuntime(runc),
            BundleDirectory = temp.Combine("bundle"),
            Tree = tree,
            Args = ["/bin/sh", "-c", "echo started; sleep 60"],
            Stdout = output,
            Stderr = Stream.Null,
        }, cancel.Token));

        var bundle = temp.Combine("bundle");
        var state = await ProcessRunner.RunAsync(runc, ["list", "--format", "json"], Ct);
        Assert.True(state.Succeeded, state.StandardError);
        Assert.DoesNotContain(bundle, state.StandardOutput);
        Assert.Equal("started\n", System.Text.Encoding.UTF8.GetString(output.ToArray()));
    }

    /// <summary>Keeps what is written and cancels <paramref name="cancel"/> at the first write.</summary>
    private sealed class CancelOnWrite(CancellationTokenSource cancel) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            base.Write(buffer, offset, count);
            cancel.Cancel();
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.ToArray(), 0, buffer.Length);
            return ValueTask.CompletedTask;
        }
    }
}
