using TradeSim.Silo.Cluster;
using TradeSim.Silo.Hosting;
using TradeSim.Silo.Tests.Support;

namespace TradeSim.Silo.Tests;

/// <summary>`tradesim cluster status` reads Orleans' membership table: each row's state, as Orleans wrote it.</summary>
public sealed class ClusterMembershipTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public void Silos_ReadsEachRowsState_AsOrleansWroteIt()
    {
        var database = postgres.NewDatabase();
        Sql.Execute(
            database.ConnectionString,
            """
            INSERT INTO orleansmembershipversiontable (deploymentid, version) VALUES ('tradesim', 9), ('another-cluster', 1);
            INSERT INTO orleansmembershiptable (deploymentid, address, port, generation, siloname, hostname, status, proxyport, suspecttimes, starttime, iamalivetime) VALUES
                ('tradesim', '10.0.0.1', 11111, 500000001, 'alive', 'host-1', 3, 30000, NULL, now() - interval '10 minutes', now()),
                ('tradesim', '10.0.0.2', 11112, 500000002, 'suspected', 'host-2', 3, 30001,
                    '10.0.0.1:11111@500000001, 2025-01-02 03:04:05.000 GMT|10.0.0.4:11114@500000004, 2025-01-02 03:04:06.000 GMT', now() - interval '9 minutes', now()),
                ('tradesim', '10.0.0.3', 11113, 500000003, 'silent', 'host-3', 3, 0, '', now() - interval '8 minutes', now() - interval '1 minute'),
                ('tradesim', '10.0.0.4', 11114, 500000004, 'stopping', 'host-4', 4, 30003, NULL, now() - interval '7 minutes', now()),
                ('tradesim', '10.0.0.5', 11115, 500000005, 'dead', 'host-5', 6, 30004, NULL, now() - interval '6 minutes', now() - interval '5 minutes'),
                ('tradesim', '10.0.0.6', 11116, 500000006, 'joining', 'host-6', 2, 30005, NULL, now() - interval '5 minutes', now()),
                ('another-cluster', '10.0.0.9', 11111, 1, 'not-ours', 'host-9', 3, 30000, NULL, now(), now());
            """);

        var silos = ClusterMembership.Silos(database, CancellationToken.None);

        Assert.Equal(
            [
                ("alive", "host-1", SiloState.Alive, 0, 30000),
                ("suspected", "host-2", SiloState.Suspected, 2, 30001),
                ("silent", "host-3", SiloState.NotResponding, 0, 0),
                ("stopping", "host-4", SiloState.Stopping, 0, 30003),
                ("dead", "host-5", SiloState.Dead, 0, 30004),
                ("joining", "host-6", SiloState.Joining, 0, 30005),
            ],
            silos.Select(s => (s.Name, s.Host, s.State, s.Suspicions, s.GatewayPort)));
        Assert.Equal(
            ["10.0.0.1:11111@500000001", "10.0.0.2:11112@500000002", "10.0.0.3:11113@500000003", "10.0.0.4:11114@500000004", "10.0.0.5:11115@500000005", "10.0.0.6:11116@500000006"],
            silos.Select(s => s.SiloAddress));
        Assert.All(silos, s => Assert.Equal(TimeSpan.Zero, s.StartedAt.Offset));
        var alive = silos[0];
        Assert.InRange(alive.LastAlive - alive.StartedAt, TimeSpan.FromMinutes(9.9), TimeSpan.FromMinutes(10.1));
        Assert.InRange(DateTimeOffset.UtcNow - alive.LastAlive, TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Silos_AnActiveSilo_IsNotRespondingOnlyPastThreeIAmAlivePeriods()
    {
        var database = postgres.NewDatabase();
        var silent = 3 * TradeSimSiloBuilder.IAmAlivePeriod.TotalSeconds;
        Sql.Execute(
            database.ConnectionString,
            $"""
            INSERT INTO orleansmembershipversiontable (deploymentid, version) VALUES ('tradesim', 2);
            INSERT INTO orleansmembershiptable (deploymentid, address, port, generation, siloname, hostname, status, starttime, iamalivetime) VALUES
                ('tradesim', '10.0.0.1', 11111, 1, 'a-late-but-within', 'h', 3, now() - interval '1 hour', now() - make_interval(secs => {silent} - 5)),
                ('tradesim', '10.0.0.2', 11111, 2, 'b-just-past', 'h', 3, now() - interval '1 hour', now() - make_interval(secs => {silent} + 5));
            """);

        var silos = ClusterMembership.Silos(database, CancellationToken.None);

        Assert.Equal([SiloState.Alive, SiloState.NotResponding], silos.Select(s => s.State));
    }

    [Fact]
    public void Silos_NoSiloEverJoined_IsEmpty()
    {
        var database = postgres.NewDatabase();

        Assert.Empty(ClusterMembership.Silos(database, CancellationToken.None));
    }
}
