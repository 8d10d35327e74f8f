using System.Globalization;
using System.Xml.Linq;
using TradeSim.Client.Report;
using TradeSim.Grains.Batches;

namespace TradeSim.Client.Tests;

/// <summary>The report's map of a scenario's network at the coordinates the scenario gives.</summary>
public sealed class NetworkMapTests
{
    private const string Hostile = "<script>alert(1)</script>";

    [Fact]
    public void Draw_EastIsRightAndNorthIsUp()
    {
        var svg = Parse(NetworkMap.Draw("map", Scenario(), [], 1000));

        // Nam Giang (107.37 E, 15.54 N) lies east of Sekong (107.23 E) and south of Da Nang (16.12 N).
        var gate = Centre(Marker(svg, "n-gate", "Nam Giang - Dak Ta Ok"));
        var west = Centre(Marker(svg, "n-node", "Sekong"));
        var north = Centre(Marker(svg, "n-node", "Da Nang"));
        Assert.True(gate.X > west.X, $"the gate at x {gate.X} is not right of the node further west at x {west.X}");
        Assert.True(north.Y < gate.Y, $"the node further north at y {north.Y} is not above the gate at y {gate.Y}");
        Assert.True(north.X > gate.X, "Da Nang (108.21 E) is east of the gate");
    }

    [Fact]
    public void Draw_ADegreeOfLongitudeIsCosineOfTheMeanLatitudeOfADegreeOfLatitude()
    {
        // Three nodes one degree apart: the padded bounds run from 14.7 to 16.3 N, a mean of 15.5.
        var entities = Entities(
            gates: [],
            nodes: [Node("a", "Corner", 15, 107), Node("b", "East", 15, 108), Node("c", "North", 16, 107)]);
        var svg = Parse(NetworkMap.Draw("map", entities, [], 1000));

        var corner = Centre(Marker(svg, "n-node", "Corner"));
        var east = Centre(Marker(svg, "n-node", "East"));
        var north = Centre(Marker(svg, "n-node", "North"));
        var ratio = (east.X - corner.X) / (corner.Y - north.Y);
        Assert.Equal(Math.Cos(15.5 * Math.PI / 180), ratio, 2);
    }

    [Fact]
    public void Draw_MoreTonnesMakeAWiderRoute()
    {
        RouteVolume[] volumes = [new("bauxite-out", "nam-giang", 12_000), new("herbs-in", "bo-y", 1_500)];
        var svg = Parse(NetworkMap.Draw("map", Scenario(), volumes, 1000));

        var big = Route(svg, "bauxite-out");
        var small = Route(svg, "herbs-in");
        Assert.Equal(18, StrokeWidth(big));
        Assert.True(StrokeWidth(big) > StrokeWidth(small), $"{StrokeWidth(big)} is not wider than {StrokeWidth(small)}");
        Assert.Equal(18 * 1_500 / 12_000.0, StrokeWidth(small), 2);
        Assert.Contains("12,000 t via Nam Giang - Dak Ta Ok", Title(big), StringComparison.Ordinal);

        // Wide routes are drawn first so thin ones stay visible on top.
        var order = svg.Descendants("path").Where(p => Class(p) == "n-flow" && p.Element("title") is not null).ToList();
        Assert.True(order.IndexOf(big) < order.IndexOf(small));

        // The legend's reference line is the widest route's tonnes rounded down to 1, 2 or 5 times a power of ten.
        Assert.Contains(svg.Descendants("text"), t => t.Value == "10,000 t delivered");
    }

    [Fact]
    public void Draw_TheVietNamLaosBorderIsSketchedThroughItsGatesAndLabelled()
    {
        var svg = Parse(NetworkMap.Draw("map", Scenario(), [], 1000));

        var border = Assert.Single(svg.Descendants("path"), p => p.Attribute("stroke-dasharray") is not null && p.Element("title") is not null);
        Assert.StartsWith("Viet Nam | Lao PDR (border sketched through its gates", Title(border), StringComparison.Ordinal);
        Assert.Contains(svg.Descendants("text"), t => t.Elements("tspan").Select(s => s.Value).SequenceEqual(["Viet Nam | Lao PDR", "(border sketched through its gates)"]));

        // The line runs north to south through both gates (Nam Giang at 15.54 N, then Bo Y at 14.71 N) and past them.
        var points = PathPoints(border);
        Assert.Equal(4, points.Count);
        var namGiang = Centre(Marker(svg, "n-gate", "Nam Giang - Dak Ta Ok"));
        var boY = Centre(Marker(svg, "n-gate", "Bo Y - Phu Cua"));
        Assert.True(Distance(points[1], namGiang) < 0.05, $"the second point {points[1]} is not Nam Giang {namGiang}");
        Assert.True(Distance(points[2], boY) < 0.05, $"the third point {points[2]} is not Bo Y {boY}");
        Assert.True(points[0].Y < points[1].Y && points[3].Y > points[2].Y, "the line does not run past its end gates");
    }

    [Fact]
    public void Draw_ABorderWithOneGate_IsATickThroughIt()
    {
        var entities = Scenario() with { Gates = [Scenario().Gates[0]] };
        var svg = Parse(NetworkMap.Draw("map", entities, [], 1000));

        var border = Assert.Single(svg.Descendants("path"), p => p.Attribute("stroke-dasharray") is not null && p.Element("title") is not null);
        Assert.StartsWith("Viet Nam | Lao PDR (border sketched through its gate:", Title(border), StringComparison.Ordinal);
        var points = PathPoints(border);
        Assert.Equal(2, points.Count);
        var gate = Centre(Marker(svg, "n-gate", "Nam Giang - Dak Ta Ok"));
        Assert.True(Distance(new Point((points[0].X + points[1].X) / 2, (points[0].Y + points[1].Y) / 2), gate) < 0.05);
    }

    [Fact]
    public void Draw_AnEntityWithoutCoordinates_IsNamedAsNotPlaced()
    {
        var entities = Scenario() with { Nodes = [.. Scenario().Nodes, Node("huong-khe", "Huong Khe district", null, null)] };
        RouteVolume[] volumes = [new("to-huong-khe", "nam-giang", 500)];
        var svg = Parse(NetworkMap.Draw("map", entities with { Flows = [.. entities.Flows, new FlowEntity("to-huong-khe", "bauxite", "sekong", "huong-khe")] }, volumes, 1000));

        var line = Assert.Single(svg.Descendants("text"), t => t.Value.Contains("Not placed (no coordinates in the scenario):", StringComparison.Ordinal));
        Assert.Contains("Huong Khe district", line.Value, StringComparison.Ordinal);
        Assert.Contains("1 route not drawn", line.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(svg.Descendants("circle"), c => Title(c).StartsWith("Huong Khe", StringComparison.Ordinal));
        Assert.DoesNotContain(svg.Descendants("path"), p => Class(p) == "n-flow" && Title(p).StartsWith("to-huong-khe", StringComparison.Ordinal));
    }

    [Fact]
    public void Draw_NothingLocated_SaysSo()
    {
        var entities = Entities(gates: [], nodes: [Node("a", "Nowhere", null, null)]);
        var svg = Parse(NetworkMap.Draw("map", entities, [], 800));

        Assert.Contains(svg.Descendants("text"), t => t.Value.Contains("no map to draw", StringComparison.Ordinal));
        Assert.Empty(svg.Descendants("circle"));
    }

    [Fact]
    public void Draw_IsValidXmlAndTheSameEveryTime()
    {
        RouteVolume[] volumes = [new("bauxite-out", "nam-giang", 12_000), new("herbs-in", "bo-y", 1_500), new("direct", null, 300)];
        var first = NetworkMap.Draw("map", Scenario(), volumes, 1000);
        var second = NetworkMap.Draw("map", Scenario(), [.. volumes], 1000);

        Assert.Equal(first, second);
        var svg = Parse(first);
        Assert.Equal("svg", svg.Name.LocalName);
        Assert.Equal("chart map", svg.Attribute("class")?.Value);
        Assert.Equal(3, svg.Descendants("path").Count(p => Class(p) == "n-flow" && p.Element("title") is not null));
        var height = double.Parse(svg.Attribute("height")!.Value, CultureInfo.InvariantCulture);
        Assert.InRange(height, 380, 900);
        Assert.Contains(svg.Descendants("text"), t => t.Value == "15\u00b0N");
        Assert.Contains(svg.Descendants("text"), t => t.Value == "108\u00b0E");
    }

    [Fact]
    public void Draw_ScenarioTextIsEscaped()
    {
        var scenario = Scenario();
        var entities = scenario with
        {
            Description = Hostile,
            Nodes = [scenario.Nodes[0] with { Name = Hostile }, .. scenario.Nodes.Skip(1), Node("lost", Hostile, null, null)],
            Gates = [scenario.Gates[0] with { Name = Hostile, Posts = [new PostEntity(Hostile, Hostile, 1), new PostEntity("la", "Dak Ta Ok", 1)] }, .. scenario.Gates.Skip(1)],
            Commodities = [new CommodityEntity("bauxite", Hostile), .. scenario.Commodities.Skip(1)],
            Flows = [scenario.Flows[0] with { Id = Hostile }, .. scenario.Flows.Skip(1)],
        };
        RouteVolume[] volumes = [new(Hostile, "nam-giang", 12_000)];

        var text = NetworkMap.Draw(Hostile, entities, volumes, 1000);

        Assert.DoesNotContain("<script", text, StringComparison.OrdinalIgnoreCase);
        var svg = Parse(text);
        Assert.Contains(svg.Descendants("text"), t => t.Value == Hostile);
        Assert.Contains(svg.Descendants("path"), p => Class(p) == "n-flow" && Title(p).StartsWith(Hostile + ": " + Hostile, StringComparison.Ordinal));
    }

    /// <summary>Two Vietnamese and one Lao node, two Viet Nam-Laos gates, two commodities and three flows.</summary>
    private static ScenarioEntities Scenario() => Entities(
        gates:
        [
            Gate("nam-giang", "Nam Giang - Dak Ta Ok", 15.54, 107.37),
            Gate("bo-y", "Bo Y - Phu Cua", 14.71, 107.56),
        ],
        nodes:
        [
            Node("sekong", "Sekong", 15.45, 107.23, "la"),
            Node("da-nang", "Da Nang", 16.12, 108.21),
            Node("kon-tum", "Kon Tum", 14.35, 108.00),
        ]);

    private static ScenarioEntities Entities(IReadOnlyList<GateEntity> gates, IReadOnlyList<NodeEntity> nodes) => new(
        "map test",
        new DateOnly(2025, 1, 1),
        30,
        0,
        gates,
        nodes,
        [new CommodityEntity("bauxite", "Bauxite ore"), new CommodityEntity("herbs", "Medicinal herbs")],
        [
            new FlowEntity("bauxite-out", "bauxite", "sekong", "da-nang"),
            new FlowEntity("herbs-in", "herbs", "kon-tum", "sekong"),
            new FlowEntity("direct", "herbs", "kon-tum", "da-nang"),
        ]);

    private static GateEntity Gate(string id, string name, double latitude, double longitude) =>
        new(id, name, "corridor", "international", [new PostEntity("vn", name + " (vn)", 2), new PostEntity("la", name + " (la)", 1)], [], latitude, longitude);

    private static NodeEntity Node(string id, string name, double? latitude, double? longitude, string country = "vn") =>
        new(id, name, country, "province", latitude, longitude);

    private static XElement Parse(string svg) => XDocument.Parse(svg).Root!;

    private static string Class(XElement e) => e.Attribute("class")?.Value ?? string.Empty;

    private static string Title(XElement e) => e.Element("title")?.Value ?? string.Empty;

    private static double StrokeWidth(XElement e) => double.Parse(e.Attribute("stroke-width")!.Value, CultureInfo.InvariantCulture);

    /// <summary>The one marker of a class whose tooltip starts with the entity's name.</summary>
    private static XElement Marker(XElement svg, string cssClass, string name) =>
        Assert.Single(svg.Descendants(), e => Class(e) == cssClass && Title(e).StartsWith(name, StringComparison.Ordinal));

    private static XElement Route(XElement svg, string flow) =>
        Assert.Single(svg.Descendants("path"), p => Class(p) == "n-flow" && Title(p).StartsWith(flow + ":", StringComparison.Ordinal));

    /// <summary>A circle's centre, or the mean of a path's points (a diamond's four corners average to its centre).</summary>
    private static Point Centre(XElement e)
    {
        if (e.Name.LocalName == "circle")
        {
            return new Point(Number(e, "cx"), Number(e, "cy"));
        }

        var points = PathPoints(e);
        return new Point(points.Average(p => p.X), points.Average(p => p.Y));
    }

    private static List<Point> PathPoints(XElement path) =>
        [.. path.Attribute("d")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(part => part != "Z")
            .Select(part => part.TrimStart('M', 'L').Split(','))
            .Select(xy => new Point(double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture)))];

    private static double Number(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    private static double Distance(Point a, Point b) => Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));

    private readonly record struct Point(double X, double Y);
}
