using System.Text.Json;
using System.Text.Json.Serialization;
using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Grains.Batches;

/// <summary>
/// What readers of a batch need to name and place a scenario's entities: its window, gates (name, corridor, class,
/// posts, closures, position), nodes, commodities and flows. Taken from the scenario when the batch is created and
/// stored with it, so the text, JSON, CSV and HTML writers name things as the batch saw them without parsing the
/// scenario text again.
/// </summary>
public sealed record ScenarioEntities(
    string Description,
    DateOnly Start,
    int Days,
    int WarmupDays,
    IReadOnlyList<GateEntity> Gates,
    IReadOnlyList<NodeEntity> Nodes,
    IReadOnlyList<CommodityEntity> Commodities,
    IReadOnlyList<FlowEntity> Flows)
{
    /// <summary>The scenario's costs and appraisal terms (`appraisal:`); null when it has none (and in batches stored before it was kept).</summary>
    public AppraisalDefinition? Appraisal { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static ScenarioEntities Of(ScenarioDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var s = definition.Settings;
        return new ScenarioEntities(
            definition.Description,
            s.Start,
            s.Days,
            s.WarmupDays,
            [.. definition.Gates.Select(g => new GateEntity(
                g.Id,
                g.Name,
                g.Corridor,
                g.GateClass,
                [.. g.Posts.Select(p => new PostEntity(p.Country, p.Name, p.Lanes))],
                [.. g.Closures.Select(c => new ClosureEntity(c.From, c.Days, c.Reason))],
                g.Coordinates?.Latitude,
                g.Coordinates?.Longitude))],
            [.. definition.Nodes.Select(n => new NodeEntity(n.Id, n.Name, n.Country, n.Kind, n.Coordinates?.Latitude, n.Coordinates?.Longitude))],
            [.. definition.Commodities.Select(c => new CommodityEntity(c.Id, c.Name))],
            [.. definition.Flows.Select(f => new FlowEntity(f.Id, f.Commodity, f.From, f.To))])
        {
            Appraisal = definition.Appraisal,
        };
    }

    /// <summary>
    /// The entities of a scenario's resolved text. A text that does not parse (its runs fail, and the batch reports
    /// them) has none: its description says why.
    /// </summary>
    public static ScenarioEntities Of(IReadOnlyList<ScenarioSource> layers)
    {
        var parsed = ScenarioParser.Parse(layers);
        return parsed.Succeeded
            ? Of(parsed.Definition!)
            : new ScenarioEntities($"(the scenario text does not parse: {parsed.Errors.FirstOrDefault()})", default, 0, 0, [], [], [], []);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ScenarioEntities FromJson(string json) =>
        JsonSerializer.Deserialize<ScenarioEntities>(json, Json) ?? throw new JsonException("stored scenario entities are null");

    public GateEntity? Gate(string id) => Gates.FirstOrDefault(g => g.Id == id);

    public NodeEntity? Node(string id) => Nodes.FirstOrDefault(n => n.Id == id);

    public string CommodityName(string id) => Commodities.FirstOrDefault(c => c.Id == id)?.Name ?? id;

    /// <summary>A gate's name for a KPI's entity, a post as "Dak Ta Ok (LA)", a corridor or flow by its id.</summary>
    public string? EntityName(KpiGroup group, string entity) => group switch
    {
        KpiGroup.Gate => Gate(entity)?.Name,
        KpiGroup.Post when entity.Split('.') is [var gate, var country] && Gate(gate) is { } g =>
            g.Posts.FirstOrDefault(p => p.Country == country) is { } p ? $"{p.Name} ({country.ToUpperInvariant()})" : null,
        _ => null,
    };
}

public sealed record GateEntity(
    string Id,
    string Name,
    string Corridor,
    string GateClass,
    IReadOnlyList<PostEntity> Posts,
    IReadOnlyList<ClosureEntity> Closures,
    double? Latitude,
    double? Longitude);

public sealed record PostEntity(string Country, string Name, int Lanes);

public sealed record ClosureEntity(DateOnly From, int Days, string Reason);

public sealed record NodeEntity(string Id, string Name, string Country, string Kind, double? Latitude, double? Longitude);

public sealed record CommodityEntity(string Id, string Name);

public sealed record FlowEntity(string Id, string Commodity, string From, string To);
