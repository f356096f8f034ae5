using RouterAdmin.Hosting;

// One executable, a few verbs: with no verb it is the web console; the others serve headless installs and boot.
return await CommandLine.RunAsync(args);
