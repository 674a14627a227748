from mnist_desktop.cli import main

raise SystemExit(main())
