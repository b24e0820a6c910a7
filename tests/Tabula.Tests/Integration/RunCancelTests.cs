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
        cancel.CancelAfter(TimeSpan.FromSeconds(2));
        var output = new MemoryStream();

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
}
