"""Operations: backup, restore and the retention purge."""
