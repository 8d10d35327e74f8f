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

    /// <summary>Checks every case; a failure names the case (its index and value) with the check's own message.</summary>
    public static void CheckEach<T>(IReadOnlyList<T> cases, Action<T> check)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(check);
        for (var i = 0; i < cases.Count; i++)
        {
            try
            {
                check(cases[i]);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new Xunit.Sdk.XunitException($"fuzz case {i} of {cases.Count} failed: {Check.Print(cases[i])}\n{e.Message}", e);
            }
        }
    }
}
