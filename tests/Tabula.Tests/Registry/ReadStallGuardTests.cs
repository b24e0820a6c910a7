using Tabula.Registry;

namespace Tabula.Tests.Registry;

/// <summary>The body-read stall rule: too little progress while waiting fails; a slow consumer never does.</summary>
public class ReadStallGuardTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>One byte per read, each after <paramref name="delay"/>, forever.</summary>
    private sealed class DripStream(TimeSpan delay) : Tabula.IO.ForwardReadStream
    {
        public override int Read(Span<byte> buffer) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(delay, cancellationToken);
            buffer.Span[0] = 1;
            return 1;
        }
    }

    [Fact]
    public async Task ADripFailsOnceTheWindowHasTooLittle()
    {
        var guard = new ReadStallGuard(TimeSpan.FromMilliseconds(300));
        var stream = new DripStream(TimeSpan.FromMilliseconds(50));
        var buffer = new byte[100];
        await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            // Generously many reads: the guard must give up long before they are done.
            for (int i = 0; i < 10_000; i++) await guard.ReadAsync(stream, buffer, () => new TimeoutException("stalled"), Token);
        });
    }

    [Fact]
    public async Task TimeBetweenReadsIsNotCounted()
    {
        var guard = new ReadStallGuard(TimeSpan.FromMilliseconds(200));
        var stream = new MemoryStream(new byte[64 << 10]);
        var buffer = new byte[1024];
        int total = 0;
        for (int i = 0; i < 4; i++)
        {
            total += await guard.ReadAsync(stream, buffer, () => new TimeoutException("stalled"), Token);
            await Task.Delay(150, Token); // the consumer is slow: not the registry's fault
        }
        Assert.Equal(4096, total);
    }

    [Fact]
    public async Task CancellationStaysCancellation()
    {
        var guard = new ReadStallGuard(TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await guard.ReadAsync(new DripStream(TimeSpan.FromSeconds(1)), new byte[1], () => new TimeoutException(), cancel.Token));
    }

    [Fact]
    public void ATimeoutIsRetriedByOperationsNotByRequests()
    {
        var timeout = new RegistryTimeoutException("127.0.0.1:5000 did not answer GET /v2/ within 1s");
        Assert.True(timeout.IsTransient);
        Assert.Null(RetryPolicy.Default.AfterException(1, timeout, cancelled: false));
        Assert.Equal(2, RetryPolicy.TimeoutAttempts);
    }
}
