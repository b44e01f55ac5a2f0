from isms.cli import main

main()
