using CsCheck;

namespace TradeSim.Client.Tests;

/// <summary>
/// Fuzz cases drawn once from a fixed seed, so every test run checks the same cases. CsCheck's <c>Sample(seed: …)</c>
/// pins only the first iteration and draws the rest at random: a fuzz test built on it fails on one run in many, on
/// cases nobody asked for, and CI is no place to discover them. New cases come from changing the seed here, on purpose.
/// </summary>
internal static class FixedCases
{
    public const string Seed = "0N0XIzNsQ0O2";

    public static IReadOnlyList<T> Draw<T>(Gen<T> gen, int count, string seed = Seed) => gen.Array[count].Single(_ => true, seed);

    /// <summary>
    /// A case that takes longer than this hangs (a FIFO read, a loop that never ends): every case here takes well
    /// under a second, so the bound catches a hang without timing anything that is merely slow on a busy machine.
    /// </summary>
    public static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(60);

    /// <summary>Checks every case; a failure or a hang names the case (its index and value) with the check's own message.</summary>
    public static void CheckEach<T>(IReadOnlyList<T> cases, Action<T> check, TimeSpan? hangAfter = null)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(check);
        var limit = hangAfter ?? HangAfter;
        for (var i = 0; i < cases.Count; i++)
        {
            var item = cases[i];
            var run = Task.Factory.StartNew(() => check(item), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            bool finished;
            try
            {
                finished = run.Wait(limit);
            }
            catch (AggregateException e) when (e.InnerException is { } inner and not OutOfMemoryException)
            {
                throw new Xunit.Sdk.XunitException($"fuzz case {i} of {cases.Count} failed: {Check.Print(item)}\n{inner.Message}", inner);
            }

            if (!finished)
            {
                throw new Xunit.Sdk.XunitException($"fuzz case {i} of {cases.Count} hung for more than {limit.TotalSeconds} s: {Check.Print(item)}");
            }
        }
    }
}
