// `tradesim-silo --cluster CONN [--workers N] [--name NAME] [--address IP] [--silo-port P] [--gateway-port P] [--metrics]`:
// joins the TradeSim cluster whose PostgreSQL CONN names and runs its batches' runs until SIGTERM or Ctrl-C.
return TradeSim.Silo.Hosting.ClusterSiloProgram.Run(args);
