using CsCheck;

namespace TradeSim.Client.Tests;

public sealed class FixedCasesTests
{
    [Fact]
    public void Draw_GivesTheSameCasesEveryTime_AndTheyVary()
    {
        var gen = Gen.Int[0, 1_000_000].Array[0, 8];

        var first = FixedCases.Draw(gen, 200);
        var second = FixedCases.Draw(gen, 200);

        Assert.Equal(200, first.Count);
        Assert.Equal(first, second);
        Assert.True(first.Select(c => string.Join(',', c)).Distinct().Count() > 150, "the cases hardly vary: the fuzz would test one case many times");
    }

    [Fact]
    public void CheckEach_NamesTheFailingCase()
    {
        var failure = Assert.ThrowsAny<Exception>(() => FixedCases.CheckEach([1, 2, 3], c => Assert.NotEqual(2, c)));

        Assert.StartsWith("fuzz case 1 of 3 failed: 2", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckEach_ACaseThatHangs_FailsNamingIt()
    {
        using var release = new ManualResetEventSlim();
        try
        {
            var failure = Assert.ThrowsAny<Exception>(() => FixedCases.CheckEach([1, 2], c =>
            {
                if (c == 2)
                {
                    release.Wait();
                }
            }, TimeSpan.FromSeconds(1)));

            Assert.StartsWith("fuzz case 1 of 2 hung for more than 1 s: 2", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            release.Set();
        }
    }
}
