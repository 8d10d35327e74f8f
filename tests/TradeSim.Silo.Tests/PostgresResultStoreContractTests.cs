using TradeSim.Grains.Storage;
using TradeSim.Silo.Storage;
using TradeSim.Silo.Tests.Support;

namespace TradeSim.Silo.Tests;

/// <summary>
/// The cluster store honours the result store contract: each test on a new database of one throwaway PostgreSQL
/// server. A test that loses the server fails after a minute rather than retrying for ever.
/// </summary>
public sealed class PostgresResultStoreContractTests(PostgresFixture postgres) : ResultStoreContract, IClassFixture<PostgresFixture>, IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    protected override IResultStore NewStore() => new PostgresResultStore(postgres.NewDatabase(), _timeout.Token);

    public void Dispose() => _timeout.Dispose();
}
