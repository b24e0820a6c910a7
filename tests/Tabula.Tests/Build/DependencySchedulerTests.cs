using Tabula.Build;

namespace Tabula.Tests.Build;

/// <summary>The scheduler of stages and platforms: dependencies first, no more at once than allowed, the first failure reported.</summary>
public class DependencySchedulerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_job_gets_its_dependencies_results_and_runs_after_them()
    {
        var order = new List<string>();
        var results = await DependencyScheduler.RunAsync<string, string>(
            [("a", []), ("b", ["a"]), ("c", ["a", "b", "not-a-job"])],
            (key, done, _) =>
            {
                lock (order) order.Add(key);
                return Task.FromResult(key + "(" + string.Join(",", done.OrderBy(d => d.Key).Select(d => d.Value)) + ")");
            },
            int.MaxValue, Token);

        Assert.Equal(["a", "b", "c"], order);
        Assert.Equal("c(a(),b(a()))", results["c"]);
    }

    [Fact]
    public async Task No_more_jobs_run_at_once_than_allowed_and_all_of_them_may_run_at_once()
    {
        Assert.Equal(2, await MostAtOnceAsync(jobs: 5, maxParallel: 2));
        Assert.Equal(5, await MostAtOnceAsync(jobs: 5, maxParallel: 5));
    }

    /// <summary>
    /// Each job waits until as many jobs as allowed are running (or all that are left), so the count reached is what the
    /// scheduler let run together, with no clock involved.
    /// </summary>
    private static async Task<int> MostAtOnceAsync(int jobs, int maxParallel)
    {
        int running = 0, most = 0, finished = 0;
        var gate = new object();
        await DependencyScheduler.RunAsync<int, int>(
            Enumerable.Range(0, jobs).Select(i => (i, Enumerable.Empty<int>())),
            async (_, _, token) =>
            {
                lock (gate) most = Math.Max(most, ++running);
                while (true)
                {
                    lock (gate)
                        if (running >= Math.Min(maxParallel, jobs - finished)) break;
                    await Task.Yield();
                    token.ThrowIfCancellationRequested();
                }
                await Task.Yield();
                lock (gate) { running--; finished++; }
                return 0;
            },
            maxParallel, Token);
        return most;
    }

    [Fact]
    public async Task The_first_failure_cancels_the_others_and_is_the_one_thrown()
    {
        var othersCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var zeroStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DependencyScheduler.RunAsync<int, int>(
            [(0, []), (1, []), (2, [1])],
            async (key, _, token) =>
            {
                // Job 1 fails only once job 0 runs: failing first would cancel job 0 before it starts, and then it never runs at all.
                if (key == 1) { await zeroStarted.Task; throw new InvalidDataException("job 1 failed"); }
                // Job 0 runs until the failure cancels it; job 2, which needs job 1, never runs.
                Assert.Equal(0, key);
                zeroStarted.TrySetResult();
                await Task.Delay(Timeout.Infinite, token).ContinueWith(_ => othersCancelled.TrySetResult(), TaskScheduler.Default);
                token.ThrowIfCancellationRequested();
                return 0;
            },
            int.MaxValue, Token));

        Assert.Equal("job 1 failed", error.Message);
        Assert.True(othersCancelled.Task.IsCompleted);
    }
}
