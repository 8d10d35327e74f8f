namespace TradeSim.Kernel.Scenarios;

/// <summary>
/// Each post keeps its country's local time; the model's clock is Viet Nam's (UTC+7). A post's `hours` are read in
/// its country's standard time and shifted onto the model's clock: a Chinese post (China Standard Time, UTC+8) open
/// 07:00-17:00 is open 06:00-16:00 on the model's clock. None of the countries here keeps daylight saving time.
/// </summary>
public static class LocalTime
{
    /// <summary>The model clock's offset from UTC, in hours: Indochina Time, Viet Nam's.</summary>
    public const double ModelUtcOffsetHours = 7;

    /// <summary>A country's standard offset from UTC, in hours (ISO 3166 alpha-2, lower case); Indochina Time for a country not listed.</summary>
    public static double UtcOffsetHours(string country) => country switch
    {
        "cn" => 8,     // China Standard Time
        "mm" => 6.5,   // Myanmar Time
        _ => ModelUtcOffsetHours, // vn, la, kh, th: Indochina Time
    };

    /// <summary>Minutes to add to a local time of <paramref name="country"/> to read it on the model's clock (-60 for China).</summary>
    public static int ToModelMinutes(string country) => (int)Math.Round((ModelUtcOffsetHours - UtcOffsetHours(country)) * 60);
}
