from plonedev.cli.app import main

main()
