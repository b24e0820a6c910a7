using Tabula.Build;

namespace Tabula.Tests.Build;

/// <summary>Claims on work in progress: one holder per key, the next one in when it lets go, a cancelled waiter gone.</summary>
public class StepClaimsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_second_claim_on_a_key_waits_for_the_first_and_other_keys_do_not()
    {
        var claims = new StepClaims();
        var first = await claims.ClaimAsync("k", Token);
        var second = claims.ClaimAsync("k", Token);
        using (await claims.ClaimAsync("other", Token)) { }
        Assert.False(second.IsCompleted);

        first.Dispose();
        first.Dispose(); // once only: a second release must not let a third holder in beside the second
        using var held = await second;
        var third = claims.ClaimAsync("k", Token);
        Assert.False(third.IsCompleted);
        held.Dispose();
        (await third).Dispose();
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_and_the_key_is_free_again()
    {
        var claims = new StepClaims();
        var first = await claims.ClaimAsync("k", Token);
        using var cancel = new CancellationTokenSource();
        var waiting = claims.ClaimAsync("k", cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        first.Dispose();
        var again = claims.ClaimAsync("k", Token);
        Assert.True(again.IsCompleted);
        (await again).Dispose();
    }
}
