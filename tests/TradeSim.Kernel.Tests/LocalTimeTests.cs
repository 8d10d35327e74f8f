using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Each post keeps its country's local time (issue 12, item 2, in part): a Chinese post's hours are China Standard
/// Time (UTC+8), an hour ahead of the model's Viet Nam clock, so "07:00-17:00" there is 06:00-16:00 in the model.
/// </summary>
public class LocalTimeTests
{
    private static readonly string Baseline = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scenarios", "baseline.yaml"));

    [Fact]
    public void Hours_OfAChinesePost_AreShiftedOneHourEarlierOnTheModelClock_AVietnamesePostsAreNot()
    {
        var definition = BaselineRuns.BaselineDefinition;
        var giaKhau = definition.Gates.Single(g => g.Id == "gia-khau");

        var cn = giaKhau.Posts.Single(p => p.Country == "cn");
        var vn = giaKhau.Posts.Single(p => p.Country == "vn");
        Assert.Equal((6 * 60, 16 * 60), (cn.OpenMinute, cn.CloseMinute));
        Assert.Equal((7 * 60, 17 * 60), (vn.OpenMinute, vn.CloseMinute));
        Assert.Equal(-60, LocalTime.ToModelMinutes("cn"));
        Assert.Equal(0, LocalTime.ToModelMinutes("la"));
    }

    [Fact]
    public void Hours_OfAChinesePostOpenAroundTheClock_StayAroundTheClock()
    {
        var result = ScenarioParser.Parse([new ScenarioSource("baseline.yaml", Baseline), new ScenarioSource("open.yaml", "gates:\n  gia-khau:\n    cn:\n      hours: 24h\n")]);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var cn = result.Definition!.Gates.Single(g => g.Id == "gia-khau").Posts.Single(p => p.Country == "cn");
        Assert.Equal((0, 24 * 60), (cn.OpenMinute, cn.CloseMinute));
    }

    [Fact]
    public void Hours_OfAChinesePostThatWouldCrossMidnightOnTheModelClock_AreRefused_Located()
    {
        var result = ScenarioParser.Parse([new ScenarioSource("baseline.yaml", Baseline), new ScenarioSource("early.yaml", "gates:\n  gia-khau:\n    cn:\n      hours: \"00:30-10:00\"\n")]);

        var error = Assert.Single(result.Errors);
        Assert.Equal(("early.yaml", 4), (error.Location.Source, error.Location.Line));
        Assert.Equal("gate 'gia-khau' post 'cn' hours 00:30-10:00 (local time, UTC+8) cross midnight on the model's clock (Viet Nam time, UTC+7): expected hours that stay within one day there, or `24h`", error.Message);
    }
}
